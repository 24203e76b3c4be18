"""Every query shape the endpoint emits in its default order is read from an index, in order."""

from __future__ import annotations

import itertools
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import mongomock
import pytest
from bson.objectid import ObjectId

from tests.corpus import write_dump
from tests.factories import room
from tests.rocketchat_client import SORT_COLUMNS, call_table_query
from voip_rooms.cursor import encode_cursor
from voip_rooms.keyset import listing_order
from voip_rooms.params import parse_rooms_params
from voip_rooms.query import room_filter
from voip_rooms_local.cli import main
from voip_rooms_local.indexes import ENDPOINT_INDEXES, PARTIAL_FILTER, ensure_indexes, serving_index

FILTERS: dict[str, list[str]] = {
    "agents": ["agent-1"],
    "open": ["true"],
    "tags": ["vip"],
    "queue": ["sales"],
    "visitorId": ["visitor-1"],
    "direction": ["inbound"],
    "roomName": ["mary"],
    "createdAt": ['{"start": "2026-07-01"}'],
    "closedAt": ['{"end": "2026-07-31"}'],
}
EQUALITY_FILTERS = {
    "agents": "servedBy._id",
    "open": "open",
    "tags": "tags",
    "queue": "queue",
    "visitorId": "v._id",
    "direction": "direction",
}


def _shape(
    names: tuple[str, ...], sort: str | None = None, after: list[Any] | None = None
) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    query = {name: FILTERS[name] for name in names} | ({"sort": [sort]} if sort else {})
    if after is not None:
        order = listing_order(parse_rooms_params(query, None).sort)
        query["after"] = [encode_cursor(after, order)]
    params = parse_rooms_params(query, None)
    return room_filter(params), listing_order(params.sort)


def test_every_index_puts_t_first_then_equality_then_one_order_and_id_last() -> None:
    for index in ENDPOINT_INDEXES:
        assert index.keys[0] == ("t", 1)
        assert index.keys[-1][0] == "_id"
        assert index.keys[-2][1] == index.keys[-1][1], "the tie-break runs in the order's direction"
        assert len(index.equality_fields) <= 1


@pytest.mark.parametrize("size", [0, 1, 2, 3])
@pytest.mark.parametrize("sort", [None, '{"ts": 1}', '{"ts": -1}'])
def test_every_combination_of_filters_is_read_in_order_from_an_index(size: int, sort: str | None) -> None:
    for names in itertools.combinations(FILTERS, size):
        assert serving_index(*_shape(names, sort)) is not None, names


@pytest.mark.parametrize(("name", "field"), EQUALITY_FILTERS.items())
def test_each_equality_filter_has_an_index_that_starts_with_it(name: str, field: str) -> None:
    index = serving_index(*_shape((name,)))
    assert index is not None
    assert index.equality_fields == (field,)


def test_open_false_and_ranges_are_filtered_while_reading_the_default_order() -> None:
    query, sort = _shape(("closedAt", "roomName"))
    query["open"] = {"$ne": True}
    index = serving_index(query, sort)
    assert index is not None
    assert index.name == "voip_rooms_by_ts"


LAST_ROWS = {
    "a date and a Rocket.Chat id": [datetime(2026, 7, 1), "room-9"],
    "a date and an imported ObjectId": [datetime(2026, 7, 1), ObjectId("66a0000000000000000000aa")],
    "no ts at all": [None, "room-9"],
    "NaN": [math.nan, "room-9"],
}


@pytest.mark.parametrize("size", [0, 1, 2])
@pytest.mark.parametrize("sort", [None, '{"ts": 1}', '{"ts": -1}'])
@pytest.mark.parametrize("last_row", LAST_ROWS.values(), ids=LAST_ROWS.keys())
def test_every_cursor_page_is_read_in_order_from_the_index_of_its_first_page(
    size: int, sort: str | None, last_row: list[Any]
) -> None:
    for names in itertools.combinations(FILTERS, size):
        first_page = serving_index(*_shape(names, sort))
        assert first_page is not None
        assert serving_index(*_shape(names, sort, after=last_row)) == first_page, names


def test_the_cursor_shape_of_the_default_order_bounds_ts_then_id_within_ts() -> None:
    when = datetime(2026, 7, 1)
    query, sort = _shape(("queue",), after=[when, "room-9"])
    lower_than_a_date = [
        {"ts": {"$type": t}} for t in ("number", "string", "object", "binData", "objectId", "bool")
    ]
    lower_than_a_string = [{"ts": when, "_id": {"$type": "number"}}]
    assert sort == [("ts", -1), ("_id", -1)]
    assert query == {
        "t": "v",
        "queue": "sales",
        "$or": [
            {"ts": {"$lt": when}},
            *lower_than_a_date,
            {"ts": None},
            {"ts": when, "_id": {"$lt": "room-9"}},
            *lower_than_a_string,
            {"ts": when, "_id": None},
        ],
    }
    index = serving_index(query, sort)
    assert index is not None
    assert index.name == "voip_rooms_by_queue"


def test_a_cursor_branch_that_skips_a_sort_key_is_not_read_in_order() -> None:
    query, sort = _shape(("queue",), after=[datetime(2026, 7, 1), "room-9"])
    assert serving_index(query | {"$or": [{"_id": {"$lt": "room-9"}}]}, sort) is None


def test_a_cursor_branch_with_a_range_before_its_last_key_is_not_read_in_order() -> None:
    when = datetime(2026, 7, 1)
    query, sort = _shape(("queue",), after=[when, "room-9"])
    assert serving_index(query | {"$or": [{"ts": {"$lt": when}, "_id": {"$lt": "room-9"}}]}, sort) is None
    assert (
        serving_index(query | {"$or": [{"ts": {"$in": [when]}, "_id": {"$lt": "room-9"}}]}, sort) is not None
    )


# What Rocket.Chat's Calls directory sends: the caller's own closed calls (agents[]=<own id>,
# open=false), a name search or none, sorted by one of its columns; and the index serving each.
CALL_DIRECTORY_INDEXES = {
    "fname": "voip_rooms_by_agent_fname",
    "phone": "voip_rooms_by_agent_phone",
    "queue": "voip_rooms_by_agent_queue",
    "ts": "voip_rooms_by_agent",
    "callDuration": "voip_rooms_by_agent_call_duration",
    "direction": "voip_rooms_by_agent_direction",
    "closedAt": "voip_rooms_by_agent_closed_at",
}


def test_the_calls_directory_table_names_every_column_it_sorts_by() -> None:
    assert set(CALL_DIRECTORY_INDEXES) == set(SORT_COLUMNS)


@pytest.mark.parametrize("column", SORT_COLUMNS)
@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
@pytest.mark.parametrize("text", ["", "ana"], ids=["no search", "search"])
def test_every_calls_directory_request_is_read_in_order_from_its_index(
    column: str, ascending: bool, text: str
) -> None:
    query = parse_qs(call_table_query("agent-1", column, ascending, text, page=1), keep_blank_values=True)
    params = parse_rooms_params(query, None)
    index = serving_index(room_filter(params), listing_order(params.sort))
    assert index is not None
    assert index.name == CALL_DIRECTORY_INDEXES[column]
    assert index.equality_fields == ("servedBy._id",)


def test_a_custom_order_has_no_ordered_index() -> None:
    assert serving_index(*_shape(("queue",), '{"fname": 1}')) is None


def test_ensure_creates_missing_indexes_partial_on_voip_rooms_and_never_alters_existing_ones() -> None:
    rooms: Any = mongomock.MongoClient().db.rocketchat_room
    rooms.create_index([("t", 1), ("ts", -1), ("_id", -1)], name="rocketchat_own")
    rooms.create_index([("queue", 1)], name="voip_rooms_by_queue")
    dry = ensure_indexes(rooms, dry_run=True)
    assert set(rooms.index_information()) == {"_id_", "rocketchat_own", "voip_rooms_by_queue"}
    actions = {a.index.name: a.action for a in ensure_indexes(rooms, dry_run=False)}
    assert [a.action for a in dry].count("create") == len(ENDPOINT_INDEXES) - 2
    assert actions["voip_rooms_by_ts"] == "exists as rocketchat_own"
    assert actions["voip_rooms_by_queue"].startswith("skipped")
    info = rooms.index_information()
    assert info["voip_rooms_by_queue"]["key"] == [("queue", 1)]
    assert info["voip_rooms_by_agent"]["partialFilterExpression"] == PARTIAL_FILTER
    again = ensure_indexes(rooms, dry_run=False)
    assert all(a.action.startswith(("exists", "skipped")) for a in again)


def test_indexes_command_dry_run_lists_the_plan(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    write_dump(tmp_path, {"rocketchat_room": [room()]}, "bson")
    assert main(["indexes", "--dry-run", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out
    assert out.count("create ") == len(ENDPOINT_INDEXES)
    assert "cursor pages (after=...) read the same indexes" in out


def test_the_demo_database_has_the_endpoints_indexes_as_a_deployment_should(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["indexes"]) == 0
    out = capsys.readouterr().out
    assert out.count("exists as ") == len(ENDPOINT_INDEXES)
    assert "create " not in out
    assert main(["doctor", "--json"]) == 0
    [check] = [c for c in json.loads(capsys.readouterr().out)["checks"] if c["topic"] == "indexes"]
    assert check["status"] == "ok"


def test_indexes_never_claims_to_create_what_an_embedded_database_throws_away(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    write_dump(tmp_path, {"rocketchat_room": [room()]}, "bson")
    assert main(["indexes", "--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out
    assert "an embedded database is not kept, so nothing is created" in out


class _RecordingRooms:
    """A rooms collection with the indexes a Rocket.Chat 8.x database may hold, recording each creation."""

    def __init__(self, existing: dict[str, Any]) -> None:
        self.existing = existing
        self.created: list[tuple[Any, dict[str, Any]]] = []

    def index_information(self) -> dict[str, Any]:
        return self.existing

    def create_index(self, keys: Any, **options: Any) -> str:
        self.created.append((keys, options))
        return str(options["name"])


def test_indexes_of_other_kinds_are_left_alone_and_do_not_stop_the_command() -> None:
    rooms = _RecordingRooms(
        {
            "_id_": {"key": [("_id", 1)]},
            "shard_key": {"key": [("_id", "hashed")]},
            "name_text": {"key": [("_fts", "text"), ("_ftsx", 1)]},
            "t_1_ts_1": {"key": [("t", 1.0), ("ts", 1.0)]},
            "voip_rooms_by_ts": {"key": [("t", 1), ("ts", -1.0), ("_id", -1.0)]},
        }
    )
    actions = {action.index.name: action.action for action in ensure_indexes(rooms, dry_run=True)}
    assert actions["voip_rooms_by_ts"] == "exists as voip_rooms_by_ts"
    assert list(actions.values()).count("create") == len(ENDPOINT_INDEXES) - 1
    assert rooms.created == []


def test_indexes_are_created_with_the_options_every_mongodb_from_4_4_to_8_0_accepts() -> None:
    rooms = _RecordingRooms({"_id_": {"key": [("_id", 1)]}})
    ensure_indexes(rooms, dry_run=False)
    assert len(rooms.created) == len(ENDPOINT_INDEXES)
    for (keys, options), index in zip(rooms.created, ENDPOINT_INDEXES, strict=True):
        assert keys == list(index.keys)
        assert all(direction in (1, -1) for _, direction in keys)
        # A name, and a partial filter that is one equality: no deprecated option (background), no
        # operator a partial index refuses.
        assert options == {"name": index.name, "partialFilterExpression": {"t": "v"}}
