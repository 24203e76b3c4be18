"""Every query shape the endpoint emits in its default order is read from an index, in order."""

from __future__ import annotations

import itertools
from typing import Any

import mongomock
import pytest

from voip_rooms.indexes import ENDPOINT_INDEXES, PARTIAL_FILTER, ensure_indexes, serving_index
from voip_rooms.params import parse_rooms_params
from voip_rooms.query import room_filter, sort_order
from voip_rooms_local.cli import main

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


def _shape(names: tuple[str, ...], sort: str | None = None) -> tuple[dict[str, Any], list[tuple[str, int]]]:
    query = {name: FILTERS[name] for name in names} | ({"sort": [sort]} if sort else {})
    params = parse_rooms_params(query, None)
    return room_filter(params), sort_order(params)


def test_every_index_puts_t_first_then_equality_then_the_default_order_and_id_last() -> None:
    for index in ENDPOINT_INDEXES:
        assert index.keys[0] == ("t", 1)
        assert index.keys[-2:] == (("ts", -1), ("_id", -1))
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


def test_indexes_command_dry_run_lists_the_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["indexes", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out
    assert out.count("create ") == len(ENDPOINT_INDEXES)
