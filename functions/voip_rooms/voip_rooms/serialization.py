"""BSON documents to the contract's JSON, in one pass of orjson.

Dates become ISO 8601 UTC with milliseconds and "Z"; ObjectId its hex; Decimal128 a string;
binary base64; NaN and infinities null (orjson's own behaviour for non-finite floats).
Only values orjson cannot write itself reach Python, so no user string is ever rewritten.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import ObjectId, json_util
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


def to_json(payload: Any) -> bytes:
    try:
        return orjson.dumps(payload, default=_ConvertedValues().__getitem__, option=_OPTIONS)
    except orjson.JSONEncodeError:
        # A value that cannot key the cache (an unhashable BSON type such as Regex): convert each one.
        return orjson.dumps(payload, default=_bson_value, option=_OPTIONS)


class _ConvertedValues(dict[Any, Any]):
    """One serialization's BSON values, each converted once.

    orjson hands every datetime to ``default``. A room repeats the same instants (``lm``,
    ``lastMessage.ts``, ``metrics.v.lq`` ...), and ``dict.__getitem__`` answers a repeat in C;
    only a first occurrence reaches ``__missing__``.
    """

    def __missing__(self, value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is None:
            converted = _naive_utc_iso(value)  # what pymongo decodes BSON dates into: the hot case
        else:
            converted = _bson_value(value)
        self[value] = converted
        return converted


def _naive_utc_iso(value: datetime) -> str:
    # isoformat() gives 19 characters, or 26 with microseconds; the contract wants milliseconds.
    text = value.isoformat()
    return f"{text[:23]}Z" if len(text) == 26 else f"{text}.000Z"


def _bson_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return _naive_utc_iso(value)
    if isinstance(value, ObjectId | Decimal128):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, DatetimeMS):
        # Outside Python's datetime range: no ISO form exists, so MongoDB Extended JSON's.
        return {"$date": {"$numberLong": str(int(value))}}
    # Rare BSON types (Regex, Timestamp, Code, MinKey, ...): their Extended JSON form.
    return json_util.default(value)
