"""§1.3 of the contract: count, offset, sort with the _id tie-break, and fields."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.factories import ApiClient, room


def _rooms(api: ApiClient, how_many: int) -> list[str]:
    start = datetime(2026, 7, 1)
    rooms = api.add_rooms(*(room(ts=start + timedelta(minutes=n)) for n in range(how_many)))
    return [r["_id"] for r in rooms]


def test_default_page_is_fifty_newest_first(api: ApiClient) -> None:
    ids = _rooms(api, 60)
    answer = api.get()
    assert answer.room_ids == list(reversed(ids))[:50]
    assert (answer.body["count"], answer.body["offset"], answer.body["total"]) == (50, 0, 60)


def test_count_above_one_hundred_is_capped(api: ApiClient) -> None:
    _rooms(api, 120)
    assert api.get("count=500").body["count"] == 100


def test_count_zero_means_the_default_page_size(api: ApiClient) -> None:
    _rooms(api, 60)
    assert api.get("count=0").body["count"] == 50


def test_offset_skips_rows_and_is_echoed(api: ApiClient) -> None:
    ids = list(reversed(_rooms(api, 7)))
    answer = api.get("count=3&offset=3")
    assert answer.room_ids == ids[3:6]
    assert (answer.body["count"], answer.body["offset"], answer.body["total"]) == (3, 3, 7)


def test_paging_params_from_the_json_body(api: ApiClient) -> None:
    ids = list(reversed(_rooms(api, 5)))
    assert api.get(body={"count": 2, "offset": 1}).room_ids == ids[1:3]


def test_offset_past_the_end_gives_an_empty_page_and_the_true_total(api: ApiClient) -> None:
    _rooms(api, 4)
    answer = api.get("offset=10")
    assert (answer.body["rooms"], answer.body["count"], answer.body["total"]) == ([], 0, 4)


def test_sort_orders_by_the_requested_field(api: ApiClient) -> None:
    b, a, c = api.add_rooms(room(fname="Bea"), room(fname="Ann"), room(fname="Cid"))
    assert api.get({"sort": '{"fname": 1}'}).room_ids == [a["_id"], b["_id"], c["_id"]]
    assert api.get(body={"sort": {"fname": -1}}).room_ids == [c["_id"], b["_id"], a["_id"]]


def test_equal_sort_keys_are_ordered_by_id_in_the_same_direction(api: ApiClient) -> None:
    same = datetime(2026, 7, 1)
    api.add_rooms(*(room(_id=f"r{n}", ts=same) for n in (3, 1, 2)))
    assert api.get().room_ids == ["r3", "r2", "r1"]
    assert api.get({"sort": '{"ts": 1}'}).room_ids == ["r1", "r2", "r3"]


def test_pages_of_equal_keys_neither_repeat_nor_skip_rooms(api: ApiClient) -> None:
    same = datetime(2026, 7, 1)
    api.add_rooms(*(room(_id=f"r{n:02d}", ts=same) for n in range(10)))
    pages = [api.get(f"count=3&offset={offset}").room_ids for offset in range(0, 10, 3)]
    assert [rid for page in pages for rid in page] == [f"r{n:02d}" for n in reversed(range(10))]


def test_fields_include_only_the_named_fields_and_the_id(api: ApiClient) -> None:
    api.add_rooms(room(fname="Ann", queue="sales"))
    assert api.get({"fields": '{"fname": 1}'}).body["rooms"][0].keys() == {"_id", "fname"}


def test_fields_may_drop_the_id_from_an_inclusion(api: ApiClient) -> None:
    api.add_rooms(room(fname="Ann"))
    assert api.get(body={"fields": {"fname": 1, "_id": 0}}).body["rooms"] == [{"fname": "Ann"}]


def test_fields_exclusion_removes_the_named_fields(api: ApiClient) -> None:
    api.add_rooms(room())
    returned = api.get({"fields": '{"v": 0, "msgs": 0}'}).body["rooms"][0]
    assert "v" not in returned
    assert "msgs" not in returned
    assert "fname" in returned


HIDDEN = {"joinCode": "1234", "members": ["a"], "importIds": ["x"], "e2e": {"key": "k"}}


@pytest.mark.parametrize(
    "fields",
    [
        None,
        '{"joinCode": 1, "members": 1, "fname": 1}',
        '{"msgs": 0}',
        '{"e2e": 0}',
        '{"members": 1}',
        '{"e2e.key": 1, "fname": 1}',
    ],
)
def test_hidden_fields_are_never_returned(api: ApiClient, fields: str | None) -> None:
    api.add_rooms(room(**HIDDEN))
    returned = api.get({"fields": fields} if fields else "").body["rooms"][0]
    assert not HIDDEN.keys() & returned.keys()
    assert "_id" in returned


@pytest.mark.parametrize(
    ("fields", "visitor"),
    [
        (None, {"_id": "visitor-1", "username": "guest-1", "status": "online"}),
        ('{"v": 1}', {"_id": "visitor-1", "username": "guest-1", "status": "online"}),
        ('{"v": 1, "_id": 0}', {"_id": "visitor-1", "username": "guest-1", "status": "online"}),
        ('{"v._id": 1, "fname": 1}', {"_id": "visitor-1"}),
        ('{"msgs": 0}', {"_id": "visitor-1", "username": "guest-1", "status": "online"}),
        ('{"v.username": 0}', {"_id": "visitor-1", "status": "online"}),
        ('{"v.token": 0}', {"_id": "visitor-1", "username": "guest-1", "status": "online"}),
        ('{"v.token": 1, "v._id": 1}', {"_id": "visitor-1"}),
    ],
)
def test_the_visitor_token_is_never_returned(api: ApiClient, fields: str | None, visitor: Any) -> None:
    api.add_rooms(
        room(v={"_id": "visitor-1", "username": "guest-1", "token": "visitor-secret", "status": "online"})
    )
    answer = api.get({"fields": fields} if fields else "")
    assert answer.status == 200
    assert answer.body["rooms"][0]["v"] == visitor
    assert "visitor-secret" not in json.dumps(answer.body)


def test_asking_only_for_the_visitor_token_returns_just_the_ids(api: ApiClient) -> None:
    stored = api.add_rooms(room(), room())
    answer = api.get({"fields": '{"v.token": 1}'})
    assert answer.body["rooms"] == [{"_id": r["_id"]} for r in reversed(stored)]


def test_excluding_the_whole_visitor_still_answers(api: ApiClient) -> None:
    api.add_rooms(room())
    returned = api.get({"fields": '{"v": 0}'}).body["rooms"][0]
    assert "v" not in returned
    assert "fname" in returned


VISITOR_MESSAGE = {"_id": "msg-1", "msg": "hello", "token": "visitor-secret", "u": {"_id": "visitor-1"}}


@pytest.mark.parametrize(
    ("fields", "last_message"),
    [
        (None, {"_id": "msg-1", "msg": "hello", "u": {"_id": "visitor-1"}}),
        ('{"lastMessage": 1}', {"_id": "msg-1", "msg": "hello", "u": {"_id": "visitor-1"}}),
        ('{"lastMessage": 1, "v": 1}', {"_id": "msg-1", "msg": "hello", "u": {"_id": "visitor-1"}}),
        ('{"lastMessage.msg": 1}', {"msg": "hello"}),
        ('{"lastMessage.u": 0}', {"_id": "msg-1", "msg": "hello"}),
        ('{"lastMessage.token": 1, "lastMessage._id": 1}', {"_id": "msg-1"}),
    ],
)
def test_the_visitor_token_in_a_visitor_sent_last_message_is_never_returned(
    api: ApiClient, fields: str | None, last_message: Any
) -> None:
    api.add_rooms(room(lastMessage=VISITOR_MESSAGE))
    answer = api.get({"fields": fields} if fields else "")
    assert answer.status == 200
    assert answer.body["rooms"][0]["lastMessage"] == last_message
    assert "visitor-secret" not in json.dumps(answer.body)


@pytest.mark.parametrize(
    "sort", ['{"joinCode": 1}', '{"v": 1}', '{"v.token": -1}', '{"lastMessage": 1}', '{"members.id": 1}']
)
def test_a_sort_by_a_never_returned_field_or_its_parent_is_refused(api: ApiClient, sort: str) -> None:
    api.add_rooms(room(joinCode="1234"))
    answer = api.get({"sort": sort})
    assert answer.status == 400
    assert answer.body["errorType"] == "error-invalid-sort"
    assert "never returned" in answer.body["error"]


def test_a_sort_by_a_visible_field_beside_a_hidden_one_is_served(api: ApiClient) -> None:
    stored = api.add_rooms(
        room(v={"_id": "b", "token": "t1"}, lastMessage={"ts": datetime(2025, 1, 2), "token": "t2"}),
        room(v={"_id": "a", "token": "t3"}, lastMessage={"ts": datetime(2025, 1, 1), "token": "t4"}),
    )
    by_visitor = api.get({"sort": '{"v._id": 1}'}).body["rooms"]
    by_message = api.get({"sort": '{"lastMessage.ts": -1}'}).body["rooms"]
    assert [r["_id"] for r in by_visitor] == [stored[1]["_id"], stored[0]["_id"]]
    assert [r["_id"] for r in by_message] == [stored[0]["_id"], stored[1]["_id"]]


# Old or odd data: the visitor, or the last message, stored as an array of documents. (Arrays mixing
# other values are covered in tests/unit/test_query.py: mongomock cannot project those, MongoDB can.)
ARRAY_SHAPES = [
    [{"_id": "visitor-1", "token": "visitor-secret"}],
    [{"_id": "visitor-1", "token": "visitor-secret"}, {"token": "visitor-secret", "x": 1}],
]


@pytest.mark.parametrize("stored", ARRAY_SHAPES)
@pytest.mark.parametrize(
    "fields",
    [
        None,
        '{"v": 1}',
        '{"lastMessage": 1}',
        '{"v": 1, "lastMessage": 1, "_id": 0}',
        '{"fname": 0}',
        '{"v._id": 1, "lastMessage.x": 1}',
    ],
)
@pytest.mark.parametrize("sort", [None, '{"fname": 1}'])
def test_the_visitor_token_is_never_returned_from_an_array_of_documents(
    api: ApiClient, fields: str | None, stored: Any, sort: str | None
) -> None:
    api.add_rooms(room(v=stored, lastMessage=stored), room(v=stored, lastMessage=stored))
    query = ({"fields": fields} if fields else {}) | ({"sort": sort} if sort else {})
    answer = api.get(query)
    assert answer.status == 200
    assert "visitor-secret" not in json.dumps(answer.body)
    assert answer.body["count"] == 2
