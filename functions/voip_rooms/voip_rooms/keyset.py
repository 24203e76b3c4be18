"""The keyset condition: every room that sorts after a cursor's row, in MongoDB's own order.

For sort keys k1..kn (``_id`` last) and the row's values v1..vn, a room comes after the row when
for some i it equals v1..v(i-1) and comes after vi on ki. "After on one key" needs explicit branches,
because MongoDB sorts across types but its range operators do not compare across them:

- MongoDB sorts null and missing fields lowest, then numbers, strings, embedded documents, binary
  data, ObjectIds, booleans and dates, in that order (the BSON comparison order).
- ``$gt``/``$lt`` match only values of the operand's own type (type bracketing), and never a missing
  field; so the types beyond a value are matched with ``$type``, and null or missing with ``null``.
- NaN sorts below every other number, yet no range operator matches it: after a number in a
  descending walk, NaN rows are asked for by equality; after NaN, every other number is ``$gte: -inf``.

Each branch is one equality prefix of the sort keys and one bound on the next key, so an index on
the filter's equalities followed by the sort keys reads every branch in order (the local runner's
indexes.py lists them).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.objectid import ObjectId

Condition = dict[str, Any]
# The non-null types in MongoDB's sort order, by their $type alias ("array": never a cursor value).
TYPE_ORDER = ("number", "string", "object", "binData", "objectId", "bool", "date")
_PYTHON_TYPES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "bool"),  # before numbers: bool is an int in Python
    ((int, float, Decimal128), "number"),
    (str, "string"),
    (dict, "object"),
    (bytes, "binData"),
    (ObjectId, "objectId"),
    ((datetime, DatetimeMS), "date"),
)
# The listing's order when the caller asks for none: newest first.
DEFAULT_SORT: tuple[tuple[str, int], ...] = (("ts", -1),)
# Matches nothing: "after" the lowest possible row on every key (an $or needs at least one branch).
NOTHING: Condition = {"_id": {"$in": []}}


def listing_order(sort: Sequence[tuple[str, int]] | None) -> list[tuple[str, int]]:
    """The requested order (else the default), with ``_id`` last: equal keys still page stably, and
    every row has one place in the walk that a cursor can name."""
    order = list(sort or DEFAULT_SORT)
    if all(key != "_id" for key, _ in order):
        order.append(("_id", order[0][1]))
    return order


def after_branches(order: Sequence[tuple[str, int]], values: Sequence[Any]) -> list[Condition]:
    """The ``$or`` branches selecting the rooms that sort after the row with these values."""
    branches = []
    for position, (field, direction) in enumerate(order):
        prefix = {key: values[earlier] for earlier, (key, _) in enumerate(order[:position])}
        branches += [{**prefix, field: bound} for bound in _beyond(values[position], direction)]
    return branches or [NOTHING]


def _beyond(value: Any, direction: int) -> list[Any]:
    """Conditions on one field matching the values that sort after ``value`` in this direction."""
    kind = _type_alias(value)
    if direction == 1:
        if kind is None:
            return [{"$ne": None}]
        own = {"$gte": -math.inf} if _is_nan(value) else {"$gt": value}
        return [own, *({"$type": alias} for alias in TYPE_ORDER[TYPE_ORDER.index(kind) + 1 :])]
    if kind is None:
        return []
    if _is_nan(value):
        return [None]
    own_and_nan = [{"$lt": value}, *([math.nan] if kind == "number" else [])]
    return [*own_and_nan, *({"$type": alias} for alias in TYPE_ORDER[: TYPE_ORDER.index(kind)]), None]


def _type_alias(value: Any) -> str | None:
    if value is None:
        return None
    return next(alias for python_type, alias in _PYTHON_TYPES if isinstance(value, python_type))


def _is_nan(value: Any) -> bool:
    if isinstance(value, Decimal128):
        return bool(value.to_decimal().is_nan())
    return isinstance(value, float) and math.isnan(value)


def sort_values(row: Any, order: Sequence[tuple[str, int]]) -> list[Any]:
    """The row's value of each sort key (a dotted path); missing is None, as MongoDB sorts it."""
    return [_at_path(row, field) for field, _ in order]


def _at_path(document: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(document, dict):
            # An array along the path: encode_cursor replaces it, and the cursor is refused when used.
            return document if isinstance(document, list) else None
        document = document.get(part)
    return document
