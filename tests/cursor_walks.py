"""Random rooms and requests for cursor walks, and what a walk must return: shared by the property
tests on the embedded store and the same walks on a real MongoDB server."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bson.objectid import ObjectId
from hypothesis import strategies as st

from tests.bson_order import full_order, mongodb_sorted, walk
from tests.factories import ApiClient

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
def rooms(draw: st.DrawFn, values: st.SearchStrategy[Any] = VALUES) -> list[dict[str, Any]]:
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
                document[field] = draw(values)
        if draw(st.integers(0, 4)):  # an embedded document, its sort field sometimes missing
            sort_field = {"a": draw(values)} if draw(st.booleans()) else {}
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


def selects(room: dict[str, Any], request: dict[str, Any]) -> bool:
    return bool(
        room["t"] == "v"
        and ("open" not in request or (room.get("open") is True) == request["open"])
        and request.get("queue", room["queue"]) == room["queue"]
    )


def as_answered(room: dict[str, Any], fields: dict[str, int] | None) -> dict[str, Any]:
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


def ids(rooms: list[dict[str, Any]]) -> list[Any]:
    return [room.get("_id", room.get("fname")) for room in rooms]


def walk_pages(api: ApiClient, request: dict[str, Any], between_pages: Any = None) -> list[dict[str, Any]]:
    def page(cursor: str | None) -> dict[str, Any]:
        if cursor is not None and between_pages is not None:
            between_pages()
        body = request | ({"after": cursor} if cursor else {})
        answer = api.get(body=body)
        assert answer.status == 200, answer.body
        return dict(answer.body)

    return walk(page)


def assert_walk_is_the_sorted_result(
    walked: list[dict[str, Any]], documents: list[dict[str, Any]], request: dict[str, Any]
) -> None:
    selected = [room for room in documents if selects(room, request)]
    expected = mongodb_sorted(selected, full_order(list(request["sort"].items())))
    fields = request.get("fields")
    fetched = [as_answered(room, fields) for room in expected]
    # Dates and bytes come back in their JSON forms; identities and visible keys say enough.
    assert ids(walked) == ids(fetched)
    assert [set(room) for room in walked] == [set(room) for room in fetched]
    if fields == {"v.name": 1}:  # the sort key v.a was read for the cursor, and left out again
        assert [room.get("v") for room in walked] == [room.get("v") for room in fetched]
