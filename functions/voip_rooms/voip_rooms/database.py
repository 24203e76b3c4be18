"""One MongoDB database handle per Lambda container, created on first use and reused.

When the connection string comes from a secret (Secrets Manager or SSM), the container reads it
again once it is older than MONGODB_SECRET_MAX_AGE_SECONDS, on the next request, and moves to a
new client if it changed; each read runs under the request's deadline (``secret_read_config``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.logging import Logger
from bson.codec_options import CodecOptions, DatetimeConversion
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import ConfigurationError

from voip_rooms.errors import ConnectionSecretUnavailable, DatabaseNotConfigured
from voip_rooms.settings import Settings

if TYPE_CHECKING:
    from botocore.config import Config

logger = Logger(service="voip-rooms", child=True)
# Read here, not by callers: tests move it forward to age the secret.
clock: Callable[[], float] = time.monotonic
# Under this much time left, a second attempt at the secret would not fit (botocore's first retry
# waits up to a second before it).
_RETRY_NEEDS_SECONDS = 3.0
_RETRY_BACKOFF_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class _SecretRead:
    uri: str
    read_at: float


_database: Database[dict[str, Any]] | None = None
_database_uri: str | None = None  # the connection string _database was built from
_secret: _SecretRead | None = None


def get_database(settings: Settings, deadline: float | None = None) -> Database[dict[str, Any]]:
    """The container's database; past the secret's max age, the secret is read again first.

    ``deadline`` (a ``clock()`` time) bounds a secret read; None allows MONGODB_TIMEOUT_MS from now.
    """
    database = _database
    if database is None:
        uri = _connection_uri(settings, deadline)
        return _replace_database(_connect(settings, uri), uri)
    if settings.connection_from_secret and _cached_secret(settings) is None:
        uri = _refreshed_uri(settings, deadline)
        if uri != _database_uri:
            logger.info("connection string changed: connecting with the secret read again")
            database = _replace_database(_connect(settings, uri), uri)
    return database


def use_database(database: Database[dict[str, Any]] | None) -> None:
    """Swap the database (tests, the local runner); None forgets it so the next use reconnects."""
    global _database, _database_uri
    _database, _database_uri = database, None


def _replace_database(database: Database[dict[str, Any]], uri: str) -> Database[dict[str, Any]]:
    global _database, _database_uri
    previous, _database, _database_uri = _database, database, uri
    if previous is not None:
        # A container serves one request at a time: the old client has nothing in flight.
        previous.client.close()
    return database


# What a connection string starts with; anything else (a bare password pasted into the secret, a host
# name) would be taken by the driver for a host and only time out.
_SCHEMES = ("mongodb://", "mongodb+srv://")


def _connect(settings: Settings, uri: str) -> Database[dict[str, Any]]:
    if not uri.startswith(_SCHEMES):
        reason = "is not a connection string: it must start with mongodb:// or mongodb+srv://"
        raise DatabaseNotConfigured(settings.connection_setting, reason)
    try:
        return _client_database(settings, uri)
    except (ConfigurationError, ValueError) as error:
        # pymongo's URI parser (a bad port is a ValueError) or its SRV lookup; the error's text may
        # quote the connection string.
        reason = f"is not a connection string the driver can use ({type(error).__name__})"
        raise DatabaseNotConfigured(settings.connection_setting, reason) from None


def _client_database(settings: Settings, uri: str) -> Database[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(
        uri,
        appname="voip-rooms-lambda",
        connect=False,
        # A container serves one request at a time: two connections cover a monitor race.
        maxPoolSize=settings.mongodb_max_pool_size,
        # Frozen containers leave idle sockets behind; drop them before the server or a NAT does.
        maxIdleTimeMS=60_000,
        # Each bound stays within the request's own deadline (handler: pymongo.timeout), which also
        # sends every command's maxTimeMS from the time left.
        serverSelectionTimeoutMS=settings.mongodb_timeout_ms,
        connectTimeoutMS=settings.mongodb_timeout_ms,
        timeoutMS=settings.mongodb_timeout_ms,
        compressors="zlib",
    )
    # DATETIME_AUTO: a date outside Python's range decodes as DatetimeMS instead of failing.
    codec: CodecOptions[dict[str, Any]] = CodecOptions(datetime_conversion=DatetimeConversion.DATETIME_AUTO)
    return client.get_default_database(default=settings.mongodb_database, codec_options=codec)


def reconnect_with_fresh_secret(
    settings: Settings, deadline: float | None = None
) -> Database[dict[str, Any]] | None:
    """After MongoDB refused the credentials: read the secret again, whatever its age, and reconnect.

    None when the connection string does not come from a secret (nothing to re-read).
    """
    if not settings.connection_from_secret:
        return None
    uri = _connection_uri(settings, deadline, refresh_secret=True)
    # A new client even for the same string: the old one's pooled connections were refused.
    return _replace_database(_connect(settings, uri), uri)


def _refreshed_uri(settings: Settings, deadline: float | None) -> str:
    """The secret read again after its max age; if AWS fails, the client in hand is kept.

    It still works until MongoDB refuses it (which forces a read); the secret is tried again after
    another max age rather than on every request.
    """
    global _secret  # noqa: PLW0603
    try:
        return _connection_uri(settings, deadline)
    except ConnectionSecretUnavailable as error:
        if _secret is None or _database_uri is None:
            raise
        logger.error(
            "connection secret unavailable: keeping the current connection",
            extra={"aws_error_code": str(error)},
        )
        _secret = replace(_secret, read_at=clock())
        return _database_uri


def _cached_secret(settings: Settings) -> _SecretRead | None:
    """The secret read before, while it is younger than its max age."""
    if _secret is None or clock() - _secret.read_at >= settings.mongodb_secret_max_age_seconds:
        return None
    return _secret


def _connection_uri(settings: Settings, deadline: float | None, *, refresh_secret: bool = False) -> str:
    """MONGODB_URI, else the Secrets Manager secret, else the SSM parameter (cached for its max age)."""
    global _secret  # noqa: PLW0603
    if not settings.connection_from_secret:
        if settings.mongodb_uri:
            return settings.mongodb_uri
        raise DatabaseNotConfigured(settings.connection_setting, "must give one: none is set")
    # One secret per container: the settings that name it are read once, at start.
    secret = None if refresh_secret else _cached_secret(settings)
    if secret is None:
        if deadline is None:
            deadline = clock() + settings.mongodb_timeout_ms / 1000
        secret = _secret = _SecretRead(_read_secret(settings, deadline - clock()), clock())
    return secret.uri


def secret_read_config(seconds_left: float) -> Config:
    """botocore settings that keep one read of the secret, retries included, within ``seconds_left``.

    A try spends at most its connect plus its read timeout; a second try is allowed only when both
    tries and the wait before the second still fit.
    """
    from botocore.config import Config  # noqa: PLC0415 - boto3 loads only for deployments with a secret

    attempts = 2 if seconds_left >= _RETRY_NEEDS_SECONDS else 1
    per_phase = (seconds_left - (_RETRY_BACKOFF_SECONDS if attempts > 1 else 0)) / (2 * attempts)
    return Config(
        connect_timeout=per_phase,
        read_timeout=per_phase,
        retries={"mode": "standard", "total_max_attempts": attempts},
    )


def _read_secret(settings: Settings, seconds_left: float) -> str:
    """Read the connection string now; any AWS failure is ConnectionSecretUnavailable naming its code."""
    if seconds_left <= 0:
        raise ConnectionSecretUnavailable("no time left to read the secret")
    # Imported here: boto3 costs a cold start that deployments given a plain URI never need.
    from aws_lambda_powertools.utilities.parameters import SecretsProvider, SSMProvider  # noqa: PLC0415
    from aws_lambda_powertools.utilities.parameters.exceptions import GetParameterError  # noqa: PLC0415

    config = secret_read_config(seconds_left)
    try:
        if settings.mongodb_secret_arn:
            # A provider per read: Powertools caches nothing between reads; _secret keeps the value.
            value = SecretsProvider(boto_config=config, boto3_session=_boto3_session()).get(
                settings.mongodb_secret_arn
            )
            return _uri_from_secret_value(value, settings.connection_setting)
        value = SSMProvider(boto_config=config, boto3_session=_boto3_session()).get(
            settings.mongodb_uri_parameter, decrypt=True
        )
        return str(value).strip()
    except GetParameterError as error:
        # Powertools wraps the AWS error in a message; the error itself is the one it was handling.
        raise ConnectionSecretUnavailable(
            _aws_error_code(error.__cause__ or error.__context__ or error)
        ) from None


def _aws_error_code(error: BaseException) -> str:
    """The AWS error code (AccessDeniedException, DecryptionFailure, ...) or the botocore error's name."""
    try:
        return str(error.response["Error"]["Code"])  # type: ignore[attr-defined] # botocore's ClientError
    except (AttributeError, KeyError, TypeError):
        return type(error).__name__


_session: Any = None


def _boto3_session() -> Any:
    """One boto3 session per container: its loaded service models make each later client cheap."""
    global _session  # noqa: PLW0603
    if _session is None:
        import boto3  # noqa: PLC0415

        _session = boto3.session.Session()
    return _session


def _uri_from_secret_value(value: Any, setting: str) -> str:
    """A secret holds the plain connection string, or a JSON object with a "uri" key."""
    text = value.decode() if isinstance(value, bytes) else str(value)
    if text.lstrip().startswith("{"):
        try:
            document = json.loads(text)
        except ValueError:
            raise DatabaseNotConfigured(setting, "names a secret that starts like JSON but is not") from None
        uri = document.get("uri") if isinstance(document, dict) else None
        if not isinstance(uri, str) or not uri:
            raise DatabaseNotConfigured(setting, "names a JSON secret without a 'uri' string")
        return uri
    return text.strip()
