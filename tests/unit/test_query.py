from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from voip_rooms import query
from voip_rooms.keyset import listing_order
from voip_rooms.params import parse_rooms_params
from voip_rooms.query import drop_paths, fetched_projection, projection, room_filter


def test_no_filter_is_every_voip_room() -> None:
    assert room_filter(parse_rooms_params(None, None)) == {"t": "v"}


def test_every_filter_becomes_its_condition() -> None:
    params = parse_rooms_params(
        {
            "agents": ["a1"],
            "tags": ["vip"],
            "queue": ["q"],
            "visitorId": ["v1"],
            "direction": ["inbound"],
            "roomName": ["Mary (1)"],
            "open": ["false"],
            "closedAt": ['{"start": "2026-07-01"}'],
        },
        '{"createdAt": {"end": "2026-08-01T00:00:00Z"}}',
    )
    assert room_filter(params) == {
        "t": "v",
        "servedBy._id": {"$in": ["a1"]},
        "open": {"$ne": True},
        "ts": {"$lte": datetime(2026, 8, 1)},
        "closedAt": {"$gte": datetime(2026, 7, 1)},
        "tags": {"$in": ["vip"]},
        "queue": "q",
        "v._id": "v1",
        "direction": "inbound",
        "name": {"$regex": r"Mary\ \(1\)", "$options": "i"},
    }


def test_id_is_appended_to_the_sort_in_the_first_keys_direction() -> None:
    assert listing_order(parse_rooms_params(None, None).sort) == [("ts", -1), ("_id", -1)]
    assert listing_order(parse_rooms_params({"sort": ['{"fname": 1, "ts": -1}']}, None).sort) == [
        ("fname", 1),
        ("ts", -1),
        ("_id", 1),
    ]
    assert listing_order(parse_rooms_params({"sort": ['{"_id": 1, "ts": -1}']}, None).sort) == [
        ("_id", 1),
        ("ts", -1),
    ]


def _projection(fields: str) -> dict[str, int]:
    return projection(parse_rooms_params({"fields": [fields]}, None).fields)


def test_projection_hides_the_private_fields_by_default() -> None:
    assert projection(parse_rooms_params(None, None).fields) == {
        "joinCode": 0,
        "members": 0,
        "importIds": 0,
        "e2e": 0,
        "v.token": 0,
        "lastMessage.token": 0,
    }


def test_exclusion_of_the_visitor_leaves_out_its_token_path_which_would_collide() -> None:
    assert _projection('{"v": 0}') == {
        "v": 0,
        "joinCode": 0,
        "members": 0,
        "importIds": 0,
        "e2e": 0,
        "lastMessage.token": 0,
    }


def test_inclusion_projection_drops_the_visitor_token_path() -> None:
    assert _projection('{"v.token": 1}') == {"_id": 1}
    assert _projection('{"v.token": 1, "v._id": 1}') == {"v._id": 1}


def test_inclusion_projection_drops_hidden_paths() -> None:
    assert _projection('{"fname": 1, "e2e.key": 1}') == {"fname": 1}
    assert _projection('{"members": 1, "_id": 0}') == {"_id": 1}


def _mixed_array() -> list[Any]:
    return [
        {"_id": "a", "token": "s", "n": 1},
        "stray",
        3,
        None,
        [{"_id": "b", "token": "s"}, [{"token": "s"}]],
    ]


def test_dropping_a_path_removes_it_from_every_document_in_arrays_along_it_as_mongodb_does() -> None:
    row = {"_id": "r", "v": _mixed_array(), "w": {"v": 1}}
    drop_paths(row, ["v.token", "w.v.x"])
    assert row == {
        "_id": "r",
        "v": [{"_id": "a", "n": 1}, "stray", 3, None, [{"_id": "b"}, [{}]]],
        "w": {"v": 1},
    }


def test_an_inclusion_below_an_array_keeps_the_named_fields_of_each_document_in_it_as_mongodb_does() -> None:
    params = parse_rooms_params({"fields": ['{"v._id": 1}'], "sort": ['{"fname": 1}']}, None)
    read_with, strip = fetched_projection(params.fields, listing_order(params.sort))
    assert read_with == {"v._id": 1, "fname": 1}
    assert strip is not None
    row = {"_id": "r", "fname": "f", "v": _mixed_array()}
    strip(row)
    # Values that are not documents are left out, nested arrays are reduced the same way.
    assert row == {"_id": "r", "v": [{"_id": "a"}, [{"_id": "b"}, [{}]]]}


def test_a_read_plan_is_worked_out_once_per_fields_and_order_and_cannot_be_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    query._cached_plan.cache_clear()
    worked_out = _record_fetched_projection(monkeypatch)
    fields = parse_rooms_params({"fields": ['{"fname": 1}']}, None).fields
    order = (("closedAt", 1), ("_id", 1))
    first, again = query.read_plan(fields, order), query.read_plan(fields, order)
    assert first is again
    assert worked_out == [(fields, order)]
    assert first.projection == {"fname": 1, "closedAt": 1}
    with pytest.raises(TypeError):
        first.projection["v.token"] = 1  # type: ignore[index]


def _record_fetched_projection(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, Any]]:
    calls: list[tuple[Any, Any]] = []
    original = query.fetched_projection

    def recording(fields: Any, order: Any) -> Any:
        calls.append((fields, order))
        return original(fields, order)

    monkeypatch.setattr(query, "fetched_projection", recording)
    return calls


def test_a_fields_of_more_paths_than_usual_is_planned_for_its_request_only() -> None:
    query._cached_plan.cache_clear()
    order = (("ts", -1), ("_id", -1))
    large = tuple((f"field{n}", 1) for n in range(query.CACHED_FIELDS_AT_MOST + 1))
    usual = large[: query.CACHED_FIELDS_AT_MOST]
    assert query.read_plan(large, order) is not query.read_plan(large, order)
    assert query.read_plan(usual, order) is query.read_plan(usual, order)
    assert query._cached_plan.cache_info().currsize == 1


def test_an_inclusion_is_worked_out_once_for_a_plan_not_once_per_row(monkeypatch: pytest.MonkeyPatch) -> None:
    query._cached_plan.cache_clear()
    built: list[Any] = []
    original = query._inclusion

    def recording(spec: Any, *, keeps_id: bool) -> Any:
        built.append(spec)
        return original(spec, keeps_id=keeps_id)

    monkeypatch.setattr(query, "_inclusion", recording)
    plan = query.read_plan((("fname", 1), ("v.username", 1)), (("ts", -1), ("_id", -1)))
    assert plan.strip is not None, "ts is read for the cursor and stripped after"
    rows = [
        {"_id": n, "fname": "a", "ts": n, "v": {"_id": "x", "username": "u"}, "msgs": 1} for n in range(50)
    ]
    for row in rows:
        plan.strip(row)
    assert rows[0] == {"_id": 0, "fname": "a", "v": {"username": "u"}}
    assert len(built) == 2, "the top of the projection and v, once"
