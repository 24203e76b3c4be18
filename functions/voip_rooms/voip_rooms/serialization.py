"""BSON documents to the contract's JSON.

Dates become ISO 8601 UTC with milliseconds and "Z"; ObjectId its hex; Decimal128 a string;
binary base64; NaN and infinities null (orjson's own behaviour for non-finite floats).

Formatting dates one by one in Python costs more than orjson's whole dump, so the fast path keeps
it in C: one pass writes the payload, collecting the values orjson cannot write
(``default=list.append``, which leaves a ``null`` in their place). When they are all dates, orjson
writes them as one array of their own, where trimming microseconds to milliseconds cannot touch
anything else. When that pass wrote no other ``null`` (the payload holds none, and no string or key
contains the word), each ``null`` is one of those dates, in order, and the dates are spliced in;
otherwise a second pass writes the payload again, looking each date up. Only values orjson cannot
write itself are ever converted, so no user string is rewritten.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any

import orjson
from bson import ObjectId, json_util
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME


_MILLISECONDS_END = b'000Z"'
_NULL = b"null"
_WHOLE_SECOND_END = re.compile(rb'(:\d\d)Z"')
_MICROSECONDS_END = re.compile(rb'\.\d{6}Z"')


def to_json(payload: Any) -> bytes:
    special: list[Any] = []
    written = orjson.dumps(payload, default=special.append, option=_OPTIONS)
    if not special:
        return written
    dates = _formatted_dates(special)
    if dates is None:
        return to_json_exact(payload)
    between = written.split(_NULL)
    if len(between) == len(special) + 1:
        # Every null written stands for one of the dates, in the order they were collected.
        pieces: list[bytes] = [_NULL] * (2 * len(special) + 1)
        pieces[0::2] = between
        pieces[1::2] = dates
        return b"".join(pieces)
    by_value = dict(zip(special, map(orjson.Fragment, dates), strict=True))
    return orjson.dumps(payload, default=by_value.__getitem__, option=_OPTIONS)


def to_json_exact(payload: Any) -> bytes:
    """The reference conversion, value by value in Python: the fallback, and what to_json must equal."""
    return orjson.dumps(payload, default=_bson_value, option=_OPTIONS)


def _formatted_dates(values: list[Any]) -> list[bytes] | None:
    """Each date's contract form as JSON text (quoted), formatted by orjson, in the order given; None
    when another value needs converting."""
    try:
        text = orjson.dumps(values, option=orjson.OPT_NAIVE_UTC | orjson.OPT_UTC_Z)
    except orjson.JSONEncodeError:
        return None  # a BSON value that is not a date (ObjectId, binary, Decimal128, ...)
    # Nothing but dates in this array, so ".mmm000Z" -> ".mmmZ" touches nothing else. When every
    # date had that ending (BSON dates have milliseconds: each lost three characters), no other check
    # is needed.
    trimmed = text.replace(_MILLISECONDS_END, b'Z"')
    if len(text) - len(trimmed) != 3 * len(values):
        if trimmed.count(b'Z"') != len(values):
            return None  # an aware date outside UTC keeps its offset in orjson's output
        trimmed = _WHOLE_SECOND_END.sub(rb'\1.000Z"', trimmed)  # orjson writes no fraction on a whole second
        if _MICROSECONDS_END.search(trimmed):
            return None  # finer than BSON's milliseconds: a date built in Python, not read
    return trimmed[1:-1].split(b",")  # no date's text holds a comma


def _naive_utc_iso(value: datetime) -> str:
    # isoformat() gives 19 characters, or 26 with microseconds; the contract wants milliseconds.
    text = value.isoformat()
    return f"{text[:23]}Z" if len(text) == 26 else f"{text}.000Z"


def _expanded_iso(milliseconds: int) -> str:
    """A date outside Python's range as JavaScript's toISOString writes it (Rocket.Chat's own answer):
    four-digit years from 0 to 9999, else a sign and at least six digits ("+010000-01-01T...")."""
    days, of_day = divmod(milliseconds, 86_400_000)
    year, month, day = _civil_from_days(days)
    hours, of_hour = divmod(of_day, 3_600_000)
    minutes, of_minute = divmod(of_hour, 60_000)
    seconds, millis = divmod(of_minute, 1000)
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{year:+07d}"  # a sign and six digits
    return f"{year_text}-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """Proleptic Gregorian (year, month, day) of a day count from 1970-01-01, for any year
    (H. Hinnant's days_from_civil inverse: 400-year eras from 0000-03-01)."""
    era, day_of_era = divmod(days + 719_468, 146_097)
    year_of_era = (day_of_era - day_of_era // 1460 + day_of_era // 36_524 - day_of_era // 146_096) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153  # March is 0
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return year_of_era + era * 400 + (month <= 2), month, day


def _bson_value(value: Any) -> Any:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return _naive_utc_iso(value)
    if isinstance(value, ObjectId | Decimal128):
        return str(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, DatetimeMS):
        return _expanded_iso(int(value))
    # Rare BSON types (Regex, Timestamp, Code, MinKey, ...): their Extended JSON form.
    return json_util.default(value)
