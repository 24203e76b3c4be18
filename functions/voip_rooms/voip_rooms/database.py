"""One MongoDB database handle per Lambda container, created on first use and reused."""

from __future__ import annotations

import json
from typing import Any

from bson.codec_options import CodecOptions, DatetimeConversion
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import ConfigurationError

from voip_rooms.settings import Settings

_database: Database[dict[str, Any]] | None = None


def get_database(settings: Settings) -> Database[dict[str, Any]]:
    global _database  # noqa: PLW0603 - the per-container cache is the point
    if _database is None:
        _database = _connect(settings)
    return _database


def use_database(database: Database[dict[str, Any]] | None) -> None:
    """Swap the database (tests, the local runner); None forgets it so the next use reconnects."""
    global _database  # noqa: PLW0603
    _database = database


def _connect(settings: Settings, *, refresh_secret: bool = False) -> Database[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(
        _connection_uri(settings, refresh_secret=refresh_secret),
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
        retryReads=True,
        compressors="zlib",
    )
    # DATETIME_AUTO: a date outside Python's range decodes as DatetimeMS instead of failing.
    codec = CodecOptions(document_class=dict, datetime_conversion=DatetimeConversion.DATETIME_AUTO)
    return client.get_default_database(default=settings.mongodb_database, codec_options=codec)


def reconnect_with_fresh_secret(settings: Settings) -> Database[dict[str, Any]] | None:
    """After MongoDB refused the credentials: read the secret again, bypassing the cache, and reconnect.

    None when the connection string does not come from a secret (nothing to re-read).
    """
    global _database
    if not settings.connection_from_secret:
        return None
    previous, _database = _database, _connect(settings, refresh_secret=True)
    if previous is not None:
        previous.client.close()
    return _database


def _connection_uri(settings: Settings, *, refresh_secret: bool = False) -> str:
    """MONGODB_URI, else the Secrets Manager secret, else the SSM parameter (read with Powertools, cached)."""
    if not settings.connection_from_secret:
        if settings.mongodb_uri:
            return settings.mongodb_uri
        raise ConfigurationError(
            "no MongoDB connection configured (MONGODB_URI, MONGODB_SECRET_ARN or MONGODB_URI_PARAMETER)"
        )
    # Imported here: boto3 costs a cold start that deployments given a plain URI never need.
    from aws_lambda_powertools.utilities import parameters  # noqa: PLC0415

    max_age = settings.mongodb_secret_max_age_seconds
    if settings.mongodb_secret_arn:
        value = parameters.get_secret(
            settings.mongodb_secret_arn, max_age=max_age, force_fetch=refresh_secret
        )
        return _uri_from_secret_value(value)
    value = parameters.get_parameter(
        settings.mongodb_uri_parameter, decrypt=True, max_age=max_age, force_fetch=refresh_secret
    )
    return str(value).strip()


def _uri_from_secret_value(value: Any) -> str:
    """A secret holds the plain connection string, or a JSON object with a "uri" key."""
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    if text.lstrip().startswith("{"):
        uri = json.loads(text).get("uri")
        if not isinstance(uri, str) or not uri:
            raise ConfigurationError("the MongoDB secret is a JSON object without a 'uri' string")
        return uri
    return text.strip()
