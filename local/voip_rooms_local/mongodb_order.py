"""Make mongomock compare values as MongoDB does, in sorts and in query filters alike.

mongomock compares with one function, ``bson_compare``, for sorting and for ``$gt``/``$lt``/``$gte``/
``$lte``; equality (``$eq``, ``$ne``, a plain value) is Python's ``==``. Where that differs from
MongoDB the function's cursor conditions and date ranges go wrong locally, so this module replaces
both with MongoDB's rules, for the values stored rooms hold:

- numbers (int, long, double, Decimal128) compare by value across types; NaN equals NaN, sorts
  below every other number, and no range operator matches it (``$gte``/``$lte`` only NaN itself);
- dates outside Python's years 1-9999 (DatetimeMS) compare with the other dates, by milliseconds;
- values of different types sort in MongoDB's type order, and a range operator matches only its
  own type (type bracketing);
- a path through a value that is not a document (``v._id`` where ``v`` is a string or null) is
  missing, so it equals null: ``{"v._id": null}`` matches and ``{"v._id": {"$ne": null}}`` does not.
"""

from __future__ import annotations

import decimal
import math
import operator
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import mongomock.collection
import mongomock.filtering
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.timestamp import Timestamp

_filtering: Any = mongomock.filtering
_NOTHING = _filtering.NOTHING
# MongoDB's canonical type order (bsontypes.h canonicalizeBSONType); bool before the numbers
# because it is an int in Python.
_TYPE_RANKS: tuple[tuple[type | tuple[type, ...], int], ...] = (
    (MinKey, -1),
    (type(None), 5),
    (bool, 40),
    ((int, float, Decimal128), 10),
    (str, 15),
    (dict, 20),
    ((list, tuple), 25),
    (bytes, 30),
    (ObjectId, 35),
    ((datetime, DatetimeMS), 45),
    (Timestamp, 47),
    ((re.Pattern, Regex), 50),
    (MaxKey, 127),
)
_NUMBER, _DATE = 10, 45


def install() -> None:
    """Patch mongomock once per process; every embedded database then answers as MongoDB would."""
    if getattr(_filtering.bson_compare, "as_mongodb", False):
        return
    mongomock_compare = _filtering.bson_compare
    mongomock_candidates = _filtering.iter_key_candidates

    def bson_compare(op: Callable[[Any, Any], bool], a: Any, b: Any, can_compare_types: bool = True) -> Any:
        if _same_kind_of_whole_milliseconds(a, b):
            return op(a, b)  # what the milliseconds compare as, without converting them
        rank_a, rank_b = _rank(a), _rank(b)
        if rank_a != rank_b:
            return can_compare_types and op(rank_a, rank_b)
        if rank_a == _NUMBER:
            return _compare_numbers(op, a, b, sorting=can_compare_types)
        if rank_a == _DATE:
            return op(_millis(a), _millis(b))
        if rank_a in (-1, 127):
            return op(0, 0)
        return mongomock_compare(op, a, b, can_compare_types)

    def iter_key_candidates(key: str, document: Any) -> Any:
        if key and not isinstance(document, dict | list):
            return [_NOTHING]
        return mongomock_candidates(key, document)

    bson_compare.as_mongodb = True  # type: ignore[attr-defined]
    _filtering.bson_compare = bson_compare
    _filtering.iter_key_candidates = iter_key_candidates
    _filtering.TYPE_MAP["date"] = lambda value: isinstance(value, datetime | DatetimeMS)
    expand = _filtering._list_expand
    _filtering._filterer_inst._operator_map |= {
        "$eq": expand(_equal),
        "$ne": expand(lambda stored, wanted: not _equal(stored, wanted), negative=True),
    }
    iter_documents: Any = mongomock.collection.Collection._iter_documents

    def explicit_equality(self: Any, spec: Any) -> Any:
        return iter_documents(self, _with_explicit_equality(spec))

    mongomock.collection.Collection._iter_documents = explicit_equality  # type: ignore[method-assign]


def _same_kind_of_whole_milliseconds(a: Any, b: Any) -> bool:
    """Two dates as BSON stores them (no finer than a millisecond), both naive or both aware: Python
    orders them as their milliseconds. The common case of every sort and range on a date field."""
    return (
        type(a) is datetime
        and type(b) is datetime
        and a.microsecond % 1000 == 0
        and b.microsecond % 1000 == 0
        and (a.tzinfo is None) == (b.tzinfo is None)
    )


def _rank(value: Any) -> int:
    for kind, rank in _TYPE_RANKS:
        if isinstance(value, kind):
            return rank
    return int(_filtering._get_compare_type(value))


def _number(value: Any) -> int | float | decimal.Decimal:
    if isinstance(value, Decimal128):
        return value.to_decimal()
    return value  # type: ignore[no-any-return]


def _is_nan(number: int | float | decimal.Decimal) -> bool:
    if isinstance(number, decimal.Decimal):
        return number.is_nan()
    return isinstance(number, float) and math.isnan(number)


def _compare_numbers(op: Callable[[Any, Any], bool], a: Any, b: Any, *, sorting: bool) -> bool:
    x, y = _number(a), _number(b)
    nan_x, nan_y = _is_nan(x), _is_nan(y)
    if not (nan_x or nan_y):
        return op(x, y)
    if sorting:
        return op(not nan_x, not nan_y)
    # A filter: NaN equals NaN, and no range operator matches it otherwise (op(0, 0): >=, <=, ==).
    return nan_x and nan_y and op(0, 0)


def _millis(value: datetime | DatetimeMS) -> int:
    return int(value if isinstance(value, DatetimeMS) else DatetimeMS(value))


def _equal(stored: Any, wanted: Any) -> bool:
    if stored is _NOTHING:
        return wanted is None
    if _rank(stored) in (_NUMBER, _DATE) and _rank(wanted) == _rank(stored):
        return bool(_filtering.bson_compare(operator.eq, stored, wanted, can_compare_types=False))
    return bool(stored == wanted)


def _with_explicit_equality(spec: Any) -> Any:
    """The filter with each plain number or date ``{"f": v}`` written ``{"f": {"$eq": v}}``: mongomock
    compares plain values with Python's ``==``, its ``$eq`` with ours. Python's ``==`` is MongoDB's
    for strings, booleans, ObjectIds and null, which keep mongomock's quicker plain match. Once per
    query, not per room."""
    if not isinstance(spec, Mapping):
        return spec
    rewritten: dict[str, Any] = {}
    for key, value in spec.items():
        if key in ("$or", "$and", "$nor"):
            rewritten[key] = [_with_explicit_equality(branch) for branch in value]
        elif not key.startswith("$") and _rank(value) in (_NUMBER, _DATE):
            rewritten[key] = {"$eq": value}
        else:
            rewritten[key] = value
    return rewritten
