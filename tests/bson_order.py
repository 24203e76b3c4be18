"""MongoDB's sort order in plain Python, written from its documentation rather than from any store.

The reference the cursor walks are compared with: mongomock is not MongoDB, and where they differ,
MongoDB's documented order is the requirement. Covers the single values a sort field holds in
practice: null and missing (equal, lowest), numbers (NaN below every other number; int, long and
double compared by value), strings (by UTF-8 bytes), binary data (by length, then bytes), ObjectIds,
booleans (false first) and dates.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bson.objectid import ObjectId

Document = dict[str, Any]
MISSING = object()
_RANKS: tuple[tuple[type | tuple[type, ...], int], ...] = (
    (bool, 8),  # before numbers: bool is an int in Python, not in BSON
    ((int, float), 2),
    (str, 3),
    (dict, 4),
    (bytes, 6),
    (ObjectId, 7),
    (datetime, 9),
)


def value_at(document: Document, path: str) -> Any:
    value: Any = document
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return MISSING
        value = value[part]
    return value


def sort_key(value: Any) -> tuple[Any, ...]:
    """A key that Python orders exactly as MongoDB sorts a single value ascending."""
    if value is None or value is MISSING:
        return (1,)
    rank = next(rank for kind, rank in _RANKS if isinstance(value, kind))
    if rank == 2:
        return (2, 0) if math.isnan(value) else (2, 1, value)
    if rank == 3:
        return (3, value.encode("utf-8"))
    if rank == 6:
        return (6, len(value), bytes(value))
    if rank == 7:
        return (7, value.binary)
    return (rank, value)


def mongodb_sorted(documents: Sequence[Document], order: Sequence[tuple[str, int]]) -> list[Document]:
    """The documents in MongoDB's order for these sort keys (``_id`` expected among them)."""

    def compare(left: Document, right: Document) -> int:
        for field, direction in order:
            a, b = sort_key(value_at(left, field)), sort_key(value_at(right, field))
            if a != b:
                return direction if a > b else -direction
        return 0

    return sorted(documents, key=functools.cmp_to_key(compare))


def full_order(sort: Sequence[tuple[str, int]]) -> list[tuple[str, int]]:
    """The endpoint's documented order: the requested keys, then ``_id`` in the first key's direction."""
    order = list(sort)
    if all(field != "_id" for field, _ in order):
        order.append(("_id", order[0][1]))
    return order


def walk(get_page: Callable[[str | None], dict[str, Any]], limit: int = 10_000) -> list[Document]:
    """Follow ``next`` from the first page until it is null; the rooms in the order returned."""
    seen: list[Document] = []
    cursor = None
    for _ in range(limit):
        body = get_page(cursor)
        seen += body["rooms"]
        cursor = body["next"]
        if cursor is None:
            return seen
    raise AssertionError("the walk did not end")
