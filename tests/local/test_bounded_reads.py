"""A sorted, limited read of the embedded database answers what mongomock's full sort answers, and
copies only the rows it returns (so an export's pages stay the same size however large the dump)."""

from __future__ import annotations

from typing import Any

import mongomock
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cursor_walks import SORT_FIELDS, rooms
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.demo import demo_dataset


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    documents=rooms(),
    sort=st.lists(
        st.tuples(st.sampled_from(SORT_FIELDS), st.sampled_from([1, -1])),
        min_size=1,
        max_size=3,
        unique_by=lambda key: key[0],
    ),
    skip=st.integers(0, 8),
    limit=st.integers(-5, 12).filter(bool),
    only_open=st.booleans(),
)
def test_a_limited_sorted_read_is_the_full_sorts_slice(
    documents: list[dict[str, Any]],
    sort: list[tuple[str, int]],
    skip: int,
    limit: int,
    only_open: bool,
) -> None:
    collection = embedded_database({"rocketchat_room": documents})["rocketchat_room"]
    query = {"t": "v", **({"open": True} if only_open else {})}
    projection = {"fname": 1, "a": 1}
    whole = list(collection.find(query, projection, sort=sort))  # no limit: mongomock's own read
    page = list(collection.find(query, projection, sort=sort, skip=skip, limit=limit))
    assert page == whole[skip : skip + abs(limit)]


def test_a_limited_sorted_read_copies_only_the_rows_it_returns(monkeypatch: pytest.MonkeyPatch) -> None:
    collection = embedded_database(demo_dataset())["rocketchat_room"]
    copies: list[Any] = []
    copy: Any = mongomock.collection.Collection._copy_only_fields

    def counted(self: Any, document: Any, *arguments: Any) -> Any:
        copies.append(document["_id"])
        return copy(self, document, *arguments)

    monkeypatch.setattr(mongomock.collection.Collection, "_copy_only_fields", counted)
    cursor = collection.find({"t": "v"}, sort=[("ts", 1), ("_id", 1)], skip=5, limit=10)
    page = [row["_id"] for row in cursor]
    assert len(page) == 10
    assert copies == page, "each row copied once, as it is returned, and no other"


def test_reads_without_a_limit_or_by_natural_order_are_mongomocks_own() -> None:
    collection = embedded_database(demo_dataset())["rocketchat_room"]
    stored = [document["_id"] for document in collection.find()]
    natural = collection.find({}, {"_id": 1}, sort=[("$natural", -1)], limit=3)
    assert [row["_id"] for row in natural] == stored[::-1][:3]
    assert len(list(collection.find({}, sort=[("ts", 1)]))) == len(stored)
