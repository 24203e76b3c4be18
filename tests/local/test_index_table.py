"""The endpoint's index table entry by entry, and what creating them reports."""

from __future__ import annotations

from typing import Any

import mongomock

from voip_rooms_local.indexes import ENDPOINT_INDEXES, PARTIAL_FILTER, ensure_indexes

ORDER = (("ts", -1), ("_id", -1))


def test_the_endpoint_indexes_are_exactly_these() -> None:
    assert {index.name: index.keys for index in ENDPOINT_INDEXES} == {
        "voip_rooms_by_ts": (("t", 1), *ORDER),
        "voip_rooms_by_agent": (("t", 1), ("servedBy._id", 1), *ORDER),
        "voip_rooms_by_open": (("t", 1), ("open", 1), *ORDER),
        "voip_rooms_by_queue": (("t", 1), ("queue", 1), *ORDER),
        "voip_rooms_by_visitor": (("t", 1), ("v._id", 1), *ORDER),
        "voip_rooms_by_direction": (("t", 1), ("direction", 1), *ORDER),
        "voip_rooms_by_tags": (("t", 1), ("tags", 1), *ORDER),
        # The Calls directory's agent listing, in each column order it offers.
        "voip_rooms_by_agent_fname": (("t", 1), ("servedBy._id", 1), ("fname", 1), ("_id", 1)),
        "voip_rooms_by_agent_phone": (("t", 1), ("servedBy._id", 1), ("phone", 1), ("_id", 1)),
        "voip_rooms_by_agent_queue": (("t", 1), ("servedBy._id", 1), ("queue", 1), ("_id", 1)),
        "voip_rooms_by_agent_call_duration": (("t", 1), ("servedBy._id", 1), ("callDuration", 1), ("_id", 1)),
        "voip_rooms_by_agent_direction": (("t", 1), ("servedBy._id", 1), ("direction", 1), ("_id", 1)),
        "voip_rooms_by_agent_closed_at": (("t", 1), ("servedBy._id", 1), ("closedAt", 1), ("_id", 1)),
    }
    assert all(index.serves for index in ENDPOINT_INDEXES)
    assert PARTIAL_FILTER == {"t": "v"}


def test_creating_the_indexes_reports_each_as_created() -> None:
    rooms: Any = mongomock.MongoClient().db.rocketchat_room
    actions = ensure_indexes(rooms, dry_run=False)
    assert [(a.index.name, a.action) for a in actions] == [(i.name, "created") for i in ENDPOINT_INDEXES]
