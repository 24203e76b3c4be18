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


def _connect(settings: Settings) -> Database[dict[str, Any]]:
    client: MongoClient[dict[str, Any]] = MongoClient(
        _connection_uri(settings),
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


def _connection_uri(settings: Settings) -> str:
    if settings.mongodb_uri:
        return settings.mongodb_uri
    if settings.mongodb_secret_arn:
        return _uri_from_secret(settings.mongodb_secret_arn)
    raise ConfigurationError("no MongoDB connection configured (MONGODB_URI or MONGODB_SECRET_ARN)")


def _uri_from_secret(secret_arn: str) -> str:
    # Imported here: boto3 costs a cold start that deployments given a plain URI never need.
    from aws_lambda_powertools.utilities.parameters import get_secret  # noqa: PLC0415

    value = get_secret(secret_arn)
    text = value.decode("utf-8") if isinstance(value, bytes) else str(value)
    if text.lstrip().startswith("{"):
        uri = json.loads(text).get("uri")
        if not isinstance(uri, str) or not uri:
            raise ConfigurationError("the MongoDB secret is a JSON object without a 'uri' string")
        return uri
    return text.strip()
