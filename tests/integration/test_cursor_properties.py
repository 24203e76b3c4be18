"""Cursor walks on random rooms: following `next` until it is null gives exactly the sorted result,
and rooms inserted, closed or deleted during a walk never make it repeat or miss a room.

The expected order is tests/bson_order.py's plain-Python reading of MongoDB's documented sort order,
not mongomock's. Values mongomock compares unlike MongoDB stay out of these datasets (NaN, which it
cannot sort, and the integers 0 and 1, which it finds equal to false and true); the real-server test
(test_real_mongodb.py) walks them.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from bson.objectid import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bson_order import MISSING, full_order, mongodb_sorted, sort_key, value_at, walk
from tests.factories import ADMIN, ApiClient, default_permissions
from voip_rooms import database
from voip_rooms_local.datasets import embedded_database

EPOCH = datetime(2026, 1, 1)
DATES = st.integers(0, 6).map(lambda hours: EPOCH + timedelta(hours=hours))
# Few distinct values of every type MongoDB orders differently, so that duplicates are common.
VALUES = st.one_of(
    st.none(),
    st.sampled_from([2, 3, 3.0, 4.5, -2.5, 10**12]),
    st.sampled_from(["", "a", "B", "ab", "é", "zz"]),
    st.booleans(),
    DATES,
    st.sampled_from([ObjectId("000000000000000000000001"), ObjectId("ffffffffffffffffffffffff")]),
    st.sampled_from([b"x", b"xy", b"a"]),
)
SORT_FIELDS = ["a", "b", "ts", "queue", "_id", "v.a"]
FIELDS = [None, {"fname": 1}, {"a": 0, "b": 0}, {"fname": 1, "_id": 0}, {"v.name": 1}, {"v": 0}]


@st.composite
def rooms(draw: st.DrawFn) -> list[dict[str, Any]]:
    documents = []
    for number in range(draw(st.integers(0, 30))):
        # Imports bring ObjectId _ids beside Rocket.Chat's string ones.
        identity: Any = ObjectId(f"{number:024x}") if draw(st.booleans()) else f"r{number:03d}"
        document: dict[str, Any] = {
            "_id": identity,
            "t": draw(st.sampled_from(["v", "v", "v", "l"])),
            "fname": f"room {number}",
            "ts": draw(DATES),
            "queue": draw(st.sampled_from(["sales", "support"])),
        }
        for field in ("a", "b"):
            if draw(st.integers(0, 4)):  # missing one time in five
                document[field] = draw(VALUES)
        if draw(st.integers(0, 4)):  # an embedded document, its sort field sometimes missing
            sort_field = {"a": draw(VALUES)} if draw(st.booleans()) else {}
            document["v"] = {"name": f"visitor {number}"} | sort_field
        if draw(st.booleans()):
            document["open"] = True
        documents.append(document)
    return documents


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    request: dict[str, Any] = {"count": draw(st.integers(1, 7))}
    if draw(st.booleans()):
        request["open"] = draw(st.booleans())
    if draw(st.booleans()):
        request["queue"] = draw(st.sampled_from(["sales", "support"]))
    keys = draw(st.lists(st.sampled_from(SORT_FIELDS), min_size=1, max_size=3, unique=True))
    request["sort"] = {key: draw(st.sampled_from([1, -1])) for key in keys}
    fields = draw(st.sampled_from(FIELDS))
    if fields is not None:
        request["fields"] = fields
    return request


def _selects(room: dict[str, Any], request: dict[str, Any]) -> bool:
    return bool(
        room["t"] == "v"
        and ("open" not in request or (room.get("open") is True) == request["open"])
        and request.get("queue", room["queue"]) == room["queue"]
    )


def _as_answered(room: dict[str, Any], fields: dict[str, int] | None) -> dict[str, Any]:
    """What the API answers for a room under these fields (the rooms here hold no hidden field)."""
    shown: dict[str, Any] = {
        key: str(value) if isinstance(value, ObjectId) else value for key, value in room.items()
    }
    if fields is None:
        return shown
    if fields == {"v.name": 1}:
        kept: dict[str, Any] = {"_id": shown["_id"]}
        return kept | ({"v": {"name": shown["v"]["name"]}} if "v" in shown else {})
    if 1 in fields.values():
        keep = {key for key, flag in fields.items() if flag} | ({"_id"} if fields.get("_id", 1) else set())
        return {key: value for key, value in shown.items() if key in keep}
    return {key: value for key, value in shown.items() if key not in fields}


def _ids(rooms: list[dict[str, Any]]) -> list[Any]:
    return [room.get("_id", room.get("fname")) for room in rooms]


def _installed(documents: list[dict[str, Any]]) -> ApiClient:
    mongo = embedded_database({"rocketchat_permissions": default_permissions(), "rocketchat_room": documents})
    database.use_database(mongo)
    api = ApiClient(mongo)
    api.add_user(ADMIN)
    return api


def _walk(api: ApiClient, request: dict[str, Any], between_pages: Any = None) -> list[dict[str, Any]]:
    def page(cursor: str | None) -> dict[str, Any]:
        if cursor is not None and between_pages is not None:
            between_pages()
        body = request | ({"after": cursor} if cursor else {})
        answer = api.get(body=body)
        assert answer.status == 200, answer.body
        return dict(answer.body)

    return walk(page)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents=rooms(), request=requests())
def test_walking_next_until_null_gives_exactly_the_sorted_result_in_order(
    documents: list[dict[str, Any]], request: dict[str, Any]
) -> None:
    api = _installed(documents)
    try:
        walked = _walk(api, request)
    finally:
        database.use_database(None)
    selected = [room for room in documents if _selects(room, request)]
    expected = mongodb_sorted(selected, full_order(list(request["sort"].items())))
    fields = request.get("fields")
    fetched = [_as_answered(room, fields) for room in expected]
    # Dates and bytes come back in their JSON forms; identities and visible keys say enough.
    assert _ids(walked) == _ids(fetched)
    assert [set(room) for room in walked] == [set(room) for room in fetched]
    if fields == {"v.name": 1}:  # the sort key v.a was read for the cursor, and left out again
        assert [room.get("v") for room in walked] == [room.get("v") for room in fetched]


# One change between pages: insert a room at some time, close a room, or delete a room.
CHANGES = st.lists(
    st.tuples(st.sampled_from(["insert", "close", "delete"]), st.integers(0, 10**6), DATES), max_size=4
)


@st.composite
def walks_by_unchanging_keys(draw: st.DrawFn) -> dict[str, Any]:
    sort = {draw(st.sampled_from(["ts", "_id"])): draw(st.sampled_from([1, -1]))}
    request: dict[str, Any] = {"count": draw(st.integers(1, 5)), "sort": sort}
    return request | ({"open": True} if draw(st.booleans()) else {})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
        walked = _walk(api, request, change)
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
