"""A sorted, limited read of the embedded database holds only the rows it returns.

mongomock answers a find by copying every matching document, sorting all the copies, then slicing
off the page: one page of an export of a million-room dump would copy a million rooms, and memory
would grow with the database. MongoDB reads an index in order and stops at the limit. Here a find
with a sort and a limit keeps its first ``skip + limit`` matches in a bounded heap, ordered exactly
as mongomock's stable sort orders them (with its comparisons, which mongodb_order makes MongoDB's),
and copies each row it returns as it is read. Every other read is mongomock's own.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Sequence
from typing import Any

import mongomock.collection
import mongomock.filtering
import mongomock.helpers

_Cursor: Any = mongomock.collection.Cursor
_filtering: Any = mongomock.filtering
_helpers: Any = mongomock.helpers


def install() -> None:
    """Patch mongomock once per process."""
    if getattr(_Cursor._compute_results, "bounded", False):
        return
    compute_results = _Cursor._compute_results

    def bounded_results(self: Any, with_limit_and_skip: bool = False) -> Any:
        if not (with_limit_and_skip and self._limit and _orderable(self._sort)):
            return compute_results(self, with_limit_and_skip)
        # Every next() asks again: the rows are read once per query, as mongomock caches its own.
        if getattr(self, "_bounded_for", None) is not self._factory:
            self._bounded_rows = _first_rows(self)
            self._bounded_for = self._factory
        return self._bounded_rows

    bounded_results.bounded = True  # type: ignore[attr-defined]
    _Cursor._compute_results = bounded_results


def _orderable(sort: Any) -> bool:
    return bool(sort) and not any(field.startswith("$") for field, _ in _pairs(sort))  # $natural: mongomock's


def _pairs(sort: Any) -> list[tuple[str, int]]:
    return list(sort.items()) if isinstance(sort, dict) else list(sort)


def _first_rows(cursor: Any) -> _CopiedWhenRead:
    collection = cursor.collection
    order = _pairs(cursor._sort)
    wanted = cursor._skip + abs(cursor._limit)
    matching = enumerate(collection._iter_documents(cursor._spec))
    # A heap of the rows kept, the one that sorts last on top: the first ones, then any that sorts
    # before that one takes its place.
    kept = [_Row(document, order, position) for position, document in itertools.islice(matching, wanted)]
    heapq.heapify(kept)
    for position, document in matching:
        row = _Row(document, order, position)
        if kept[0] < row:
            heapq.heapreplace(kept, row)
    documents = [row.document for row in sorted(kept, reverse=True)][cursor._skip :]
    return _CopiedWhenRead(collection, documents, cursor._projection)


class _Row:
    """A document's place in a multi-key order (mongomock's sort keys, then its stored position, as a
    stable sort keeps it), compared backwards: heapq's smallest is the row that sorts last."""

    __slots__ = ("document", "keys", "position")

    def __init__(self, document: Any, order: Sequence[tuple[str, int]], position: int) -> None:
        self.document = document
        self.position = position
        self.keys = [(_filtering.resolve_sort_key(field, document), direction) for field, direction in order]

    def __lt__(self, other: _Row) -> bool:
        for (mine, direction), (theirs, _) in zip(self.keys, other.keys, strict=True):
            if mine < theirs:
                return direction < 0
            if theirs < mine:
                return direction > 0
        return self.position > other.position


class _CopiedWhenRead(Sequence[Any]):
    """The page's rows, each copied (projected) as the cursor reads it: one copy at a time is alive."""

    def __init__(self, collection: Any, documents: list[Any], projection: Any) -> None:
        self._collection, self._documents, self._projection = collection, documents, projection

    def __len__(self) -> int:
        return len(self._documents)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self._copy(document) for document in self._documents[index]]
        return self._copy(self._documents[index])

    def _copy(self, document: Any) -> Any:
        row = self._collection._copy_only_fields(document, self._projection, dict)
        if self._collection.codec_options.tz_aware:
            row = _helpers.make_datetime_timezone_aware_in_document(row)
        return row
