"""The opaque `after` / `next` cursor: the last row's sort values and ``_id``, compact and URL-safe.

A cursor is base64url (no padding) of a BSON document ``{"v": version, "s": sort fingerprint,
"k": [sort values..., _id]}``. BSON keeps every value's type exactly as MongoDB holds it (a date
stays a date, an ObjectId an ObjectId, NaN a double, null a null), which the keyset condition needs
to continue in MongoDB's own order. It grants nothing: it only says where a walk continues; the
caller's filters and permissions apply on every page.

A decoded cursor is checked before it reaches a query: a value of a type the keyset condition
cannot follow (an array, an embedded document, a regular expression, code, ...) is refused, so no
operator or pattern can be smuggled in through it. Such a value is never encoded either: a row's
array or embedded document at a sort path leaves as an empty array, so a cursor carries nothing but
scalar sort values.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import bson
from bson.codec_options import CodecOptions, DatetimeConversion
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.objectid import ObjectId

from voip_rooms.errors import InvalidParams

VERSION = 1
# Longest accepted "after": a default-sort cursor is about 100 characters; this leaves room for
# five long string sort values.
MAX_LENGTH = 4096
_URL_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# Dates outside Python's range come back as DatetimeMS, as the listing reads them.
_CODEC = CodecOptions(document_class=dict, datetime_conversion=DatetimeConversion.DATETIME_AUTO)
# Single values the keyset condition orders exactly as MongoDB does (bool is an int: listed anyway).
_FOLLOWABLE = (type(None), bool, int, float, Decimal128, str, bytes, ObjectId, datetime, DatetimeMS)
Order = Sequence[tuple[str, int]]


def encode_cursor(values: Sequence[Any], order: Order) -> str:
    """The cursor after a row with these sort values. A value the keyset condition cannot follow (an
    array or embedded document, which may hold a never-returned field) is replaced by an empty array:
    the cursor is refused on replay all the same, and nothing else of the row leaves with it."""
    followable: list[Any] = [value if isinstance(value, _FOLLOWABLE) else [] for value in values]
    packed = bson.encode({"v": VERSION, "s": _fingerprint(order), "k": followable})
    return base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def decode_cursor(text: str, order: Order) -> tuple[Any, ...]:
    """The sort values (``_id`` last) a cursor made for this order carries; InvalidParams otherwise."""
    if len(text) > MAX_LENGTH or not set(text) <= _URL_SAFE:
        raise _refused("it is not a cursor this endpoint returned")
    try:
        packed = base64.urlsafe_b64decode(text + "==")  # its padding; more than enough is ignored
        document = bson.decode(packed, codec_options=_CODEC)
    except (binascii.Error, ValueError, bson.errors.BSONError, OverflowError, IndexError, TypeError):
        raise _refused("it is not a cursor this endpoint returned") from None
    if set(document) != {"v", "s", "k"}:
        raise _refused("it is not a cursor this endpoint returned")
    if document["v"] != VERSION or type(document["v"]) is not int:
        raise _refused("it comes from another version of this endpoint; start the walk again")
    if document["s"] != _fingerprint(order):
        raise _refused('it was made for another "sort"; pass the same "sort" on every page')
    values = document["k"]
    if not isinstance(values, list) or len(values) != len(order):
        raise _refused("it is not a cursor this endpoint returned")
    if not all(isinstance(value, _FOLLOWABLE) for value in values):
        raise _refused("a sort field holds an array or embedded document; page with offset instead")
    return tuple(values)


def _fingerprint(order: Order) -> bytes:
    return _fingerprint_of(tuple(order))


@functools.lru_cache(maxsize=64)
def _fingerprint_of(order: tuple[tuple[str, int], ...]) -> bytes:
    # Enough to tell sorts apart; a cursor is not a secret, so no key is involved. JSON: the same
    # text in every release, so cursors survive a deployment.
    return hashlib.blake2b(json.dumps(order).encode("utf-8"), digest_size=4).digest()


def _refused(reason: str) -> InvalidParams:
    return InvalidParams(f'Invalid "after" parameter: {reason}.')
