"""Cursor walks on random rooms: following `next` until it is null gives exactly the sorted result,
and rooms inserted, closed or deleted during a walk never make it repeat or miss a room.

The expected order is tests/bson_order.py's plain-Python reading of MongoDB's documented sort order,
not mongomock's. Values mongomock compares unlike MongoDB stay out of these datasets (NaN, which it
cannot sort, and the integers 0 and 1, which it finds equal to false and true); the real-server test
(test_real_mongodb.py) walks them.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from bson.objectid import ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bson_order import MISSING, full_order, mongodb_sorted, sort_key, value_at
from tests.cursor_walks import DATES, EPOCH, assert_walk_is_the_sorted_result, requests, rooms, walk_pages
from tests.factories import ADMIN, ApiClient, default_permissions
from voip_rooms import database
from voip_rooms_local.datasets import embedded_database


def _installed(documents: list[dict[str, Any]]) -> ApiClient:
    mongo = embedded_database({"rocketchat_permissions": default_permissions(), "rocketchat_room": documents})
    database.use_database(mongo)
    api = ApiClient(mongo)
    api.add_user(ADMIN)
    return api


@settings(max_examples=120)
@given(documents=rooms(), request=requests())
def test_walking_next_until_null_gives_exactly_the_sorted_result_in_order(
    documents: list[dict[str, Any]], request: dict[str, Any]
) -> None:
    api = _installed(documents)
    try:
        walked = walk_pages(api, request)
    finally:
        database.use_database(None)
    assert_walk_is_the_sorted_result(walked, documents, request)


# One change between pages: insert a room at some time, close a room, or delete a room.
CHANGES = st.lists(
    st.tuples(st.sampled_from(["insert", "close", "delete"]), st.integers(0, 10**6), DATES), max_size=4
)


@st.composite
def walks_by_unchanging_keys(draw: st.DrawFn) -> dict[str, Any]:
    sort = {draw(st.sampled_from(["ts", "_id"])): draw(st.sampled_from([1, -1]))}
    request: dict[str, Any] = {"count": draw(st.integers(1, 5)), "sort": sort}
    return request | ({"open": True} if draw(st.booleans()) else {})


@settings(max_examples=100)
@given(documents=rooms(), request=walks_by_unchanging_keys(), changes=st.lists(CHANGES, max_size=12))
def test_a_walk_by_an_unchanging_key_never_repeats_or_misses_a_room_while_others_change(
    documents: list[dict[str, Any]], request: dict[str, Any], changes: list[list[tuple[str, int, datetime]]]
) -> None:
    documents = [room | {"t": "v"} for room in documents]
    sort, only_open = request["sort"], "open" in request
    api = _installed(documents)
    touched: set[Any] = set()
    pending = iter(changes)
    inserted = itertools.count()

    def change() -> None:
        for kind, pick, when in next(pending, []):
            present = [room["_id"] for room in api.db.rocketchat_room.find({}, {"_id": 1})]
            if kind == "insert":
                api.db.rocketchat_room.insert_one(
                    {
                        "_id": f"new-{next(inserted)}",
                        "t": "v",
                        "ts": when,
                        "open": True,
                        "queue": "sales",
                    }
                )
            elif present:
                target = present[pick % len(present)]
                touched.add(target)
                if kind == "delete":
                    api.db.rocketchat_room.delete_one({"_id": target})
                else:
                    api.db.rocketchat_room.update_one(
                        {"_id": target}, {"$unset": {"open": ""}, "$set": {"closedAt": when}}
                    )

    try:
        walked = walk_pages(api, request, change)
    finally:
        database.use_database(None)
    ids = [room["_id"] for room in walked]
    assert len(ids) == len(set(ids)), "a room came twice"
    steady = {
        str(room["_id"])
        for room in documents
        if room["_id"] not in touched and (not only_open or room.get("open") is True)
    }
    assert steady <= set(ids), "a room that existed unchanged for the whole walk was missed"
    order = full_order(list(sort.items()))
    keys = [tuple(sort_key(_json_value(room, field)) for field, _ in order) for room in walked]
    descending = next(iter(sort.values())) == -1
    assert keys == sorted(keys, reverse=descending), "the walk left the requested order"


def _json_value(room: dict[str, Any], field: str) -> Any:
    """A walked room's sort value: ``ts`` as the date it was, ``_id`` as text or ObjectId."""
    value = value_at(room, field)
    if field == "ts" and value is not MISSING:
        return datetime.fromisoformat(value.removesuffix("Z"))
    if field == "_id" and len(value) == 24 and not value.startswith(("r", "new-")):
        return ObjectId(value)
    return value


def test_the_reference_order_is_mongodbs_documented_one() -> None:
    """Null and missing tie lowest; NaN is below every number; then strings, binary, ObjectId, bool, date."""
    ordered: list[dict[str, Any]] = [
        {"_id": 1},
        {"_id": 2, "a": None},
        {"_id": 3, "a": float("nan")},
        {"_id": 4, "a": -5},
        {"_id": 5, "a": 2.5},
        {"_id": 6, "a": "B"},
        {"_id": 7, "a": "a"},
        {"_id": 8, "a": b"zz"},
        {"_id": 9, "a": b"aaa"},
        {"_id": 10, "a": ObjectId()},
        {"_id": 11, "a": False},
        {"_id": 12, "a": True},
        {"_id": 13, "a": EPOCH},
    ]
    shuffled = ordered[::-1]
    assert mongodb_sorted(shuffled, [("a", 1), ("_id", 1)]) == ordered
    assert [room["_id"] for room in mongodb_sorted(shuffled, [("a", -1), ("_id", 1)])][-2:] == [1, 2]
