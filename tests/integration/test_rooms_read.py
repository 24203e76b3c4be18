"""What a page reads from the database: the rows and the fields that come over the wire.

Answers alone cannot tell a page that reads one row beyond itself from one that reads every matching
room and drops the rest, nor a projection applied by MongoDB from one applied after reading whole
documents (tokens included). Both are budgets: a call center's rooms number in the millions, and a
room with its members and messages' metadata weighs kilobytes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import mongomock.collection
import pytest

from tests.factories import DEMO_ADMIN, ApiClient
from voip_rooms.room_fields import HIDDEN_FIELDS

Document = dict[str, Any]
DEMO_ROOMS = 320


@pytest.fixture
def rooms_delivered(monkeypatch: pytest.MonkeyPatch) -> list[list[Document]]:
    """The room documents each find on rocketchat_room delivered, one list per command."""
    delivered: list[list[Document]] = []
    original_find: Any = mongomock.collection.Collection.find

    def recording_find(self: Any, *args: Any, **kwargs: Any) -> Any:
        cursor = original_find(self, *args, **kwargs)
        if self.name != "rocketchat_room":
            return cursor
        rows = list(cursor)
        delivered.append(copy.deepcopy(rows))  # as delivered: the handler trims rows in place
        return iter(rows)

    monkeypatch.setattr(mongomock.collection.Collection, "find", recording_find)
    return delivered


def _paths_read(delivered: list[list[Document]]) -> set[str]:
    """Every path of every room delivered, embedded documents' own paths included."""
    return {path for rows in delivered for row in rows for path in _paths(row)}


def _paths(document: Document, prefix: str = "") -> Iterator[str]:
    for key, value in document.items():
        path = prefix + key
        yield path
        if isinstance(value, dict):
            yield from _paths(value, path + ".")


@pytest.mark.parametrize(
    ("query", "read"),
    [
        ("count=5", 6),
        ("count=5&offset=100", 6),
        ("count=100", 101),
        ("count=20&offset=310", DEMO_ROOMS - 310),  # the last page: fewer rows are left
        ("count=5&offset=400", 0),
    ],
)
def test_a_page_reads_one_row_beyond_itself_and_no_more(
    demo_api: ApiClient, rooms_delivered: list[list[Document]], query: str, read: int
) -> None:
    answer = demo_api.get(query, user=DEMO_ADMIN)
    assert answer.status == 200
    assert [len(rows) for rows in rooms_delivered] == [read]


def test_a_cursor_page_reads_one_row_beyond_itself(
    demo_api: ApiClient, rooms_delivered: list[list[Document]]
) -> None:
    first = demo_api.get("count=5", user=DEMO_ADMIN)
    following = demo_api.get({"count": 5, "after": first.body["next"]}, user=DEMO_ADMIN)
    assert following.body["count"] == 5
    assert [len(rows) for rows in rooms_delivered] == [6, 6]


def test_an_exclusion_that_spares_the_order_is_applied_by_the_database(
    demo_api: ApiClient, rooms_delivered: list[list[Document]]
) -> None:
    answer = demo_api.get({"fields": '{"servedBy": 0}', "count": 10}, user=DEMO_ADMIN)
    assert answer.status == 200
    read = _paths_read(rooms_delivered)
    assert "ts" in read  # the rooms were read, with their sort key
    assert not read & {"servedBy", *HIDDEN_FIELDS}


def test_an_inclusion_reads_only_its_fields_and_the_order(
    demo_api: ApiClient, rooms_delivered: list[list[Document]]
) -> None:
    answer = demo_api.get({"fields": '{"name": 1}', "count": 10}, user=DEMO_ADMIN)
    assert answer.status == 200
    read = _paths_read(rooms_delivered)
    assert read == {"_id", "name", "ts"}
    assert {key for room in answer.body["rooms"] for key in room} == {"_id", "name"}


def test_an_inclusion_below_a_sort_key_reads_the_key_whole_and_answers_only_the_field(
    demo_api: ApiClient, rooms_delivered: list[list[Document]]
) -> None:
    # MongoDB refuses a projection naming both a path and its parent (a path collision).
    answer = demo_api.get(
        {"fields": '{"servedBy.username": 1}', "sort": '{"servedBy": 1}', "count": 10}, user=DEMO_ADMIN
    )
    assert answer.status == 200
    served = [room for room in answer.body["rooms"] if "servedBy" in room]
    assert served
    assert all(set(room["servedBy"]) == {"username"} for room in served)
    read = _paths_read(rooms_delivered)
    assert {"servedBy._id", "servedBy.ts"} <= read  # the sort key was read whole, for the cursor


def test_an_exclusion_below_a_sort_key_is_applied_by_the_database(
    demo_api: ApiClient, rooms_delivered: list[list[Document]]
) -> None:
    answer = demo_api.get(
        {"fields": '{"servedBy.ts": 0}', "sort": '{"servedBy": 1}', "count": 10}, user=DEMO_ADMIN
    )
    assert answer.status == 200
    read = _paths_read(rooms_delivered)
    assert "servedBy._id" in read
    assert "servedBy.ts" not in read


def test_an_excluded_sort_key_is_read_for_the_cursor_and_left_out_of_the_answer(
    demo_api: ApiClient, rooms_delivered: list[list[Document]]
) -> None:
    answer = demo_api.get({"fields": '{"ts": 0}', "count": 10}, user=DEMO_ADMIN)
    assert answer.status == 200
    assert all("ts" in row for rows in rooms_delivered for row in rows)
    assert not [room for room in answer.body["rooms"] if "ts" in room]
    assert answer.body["next"] is not None
