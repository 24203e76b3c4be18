"""§1.2 of the contract: every filter, from the query string and from the JSON body of the GET."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.factories import AGENT, OTHER_AGENT, ApiClient, room


def test_only_voip_rooms_are_listed(api: ApiClient) -> None:
    voip = api.add_rooms(room())[0]
    api.add_rooms(room(t="l"), room(t="c"), room(t="p"), room(t="d"))
    assert api.get().room_ids == [voip["_id"]]


@pytest.mark.parametrize("query", ["agents=agent-1&agents=agent-3", "agents[]=agent-1&agents[]=agent-3"])
def test_agents_filter_from_repeated_query_parameters(api: ApiClient, query: str) -> None:
    one, _, three = api.add_rooms(
        room(servedBy={"_id": "agent-1"}),
        room(servedBy={"_id": "agent-2"}),
        room(servedBy={"_id": "agent-3"}),
    )
    assert set(api.get(query).room_ids) == {one["_id"], three["_id"]}


def test_agents_filter_from_the_json_body(api: ApiClient) -> None:
    one, _ = api.add_rooms(room(servedBy={"_id": AGENT.user_id}), room(servedBy={"_id": OTHER_AGENT.user_id}))
    assert api.get(body={"agents": [AGENT.user_id]}).room_ids == [one["_id"]]


def _open_and_closed(api: ApiClient) -> tuple[str, str]:
    opened, closed = api.add_rooms(room(open=True), room(closedAt=datetime(2026, 7, 2)))
    return opened["_id"], closed["_id"]


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("open=true", None),
        ("", {"open": True}),
        ("", {"Open": True}),
        ("Open=true", None),
        ("", {"open": "true"}),
    ],
)
def test_open_true_lists_only_open_calls(api: ApiClient, query: str, body: object) -> None:
    opened, _ = _open_and_closed(api)
    assert api.get(query, body=body).room_ids == [opened]


@pytest.mark.parametrize(("query", "body"), [("open=false", None), ("", {"Open": False})])
def test_open_false_lists_calls_whose_open_field_was_removed(
    api: ApiClient, query: str, body: object
) -> None:
    _, closed = _open_and_closed(api)
    assert api.get(query, body=body).room_ids == [closed]


def test_absent_open_lists_open_and_closed_calls(api: ApiClient) -> None:
    opened, closed = _open_and_closed(api)
    assert set(api.get().room_ids) == {opened, closed}


def test_created_at_range_is_inclusive(api: ApiClient) -> None:
    _, first, last, _ = api.add_rooms(
        room(ts=datetime(2026, 7, 1, 9, 59, 59, 999000)),
        room(ts=datetime(2026, 7, 1, 10)),
        room(ts=datetime(2026, 7, 2, 10)),
        room(ts=datetime(2026, 7, 2, 10, 0, 0, 1000)),
    )
    answer = api.get({"createdAt": '{"start": "2026-07-01T10:00:00Z", "end": "2026-07-02T10:00:00.000Z"}'})
    assert set(answer.room_ids) == {first["_id"], last["_id"]}


def test_a_range_whose_start_is_its_end_finds_the_rooms_of_that_one_instant(api: ApiClient) -> None:
    _, exact, _ = api.add_rooms(
        room(ts=datetime(2026, 7, 1, 9, 59, 59, 999000)),
        room(ts=datetime(2026, 7, 1, 10)),
        room(ts=datetime(2026, 7, 1, 10, 0, 0, 1000)),
    )
    answer = api.get({"createdAt": '{"start": "2026-07-01T10:00:00Z", "end": "2026-07-01T10:00:00Z"}'})
    assert (answer.status, answer.room_ids) == (200, [exact["_id"]])


def test_created_at_accepts_one_bound_and_the_json_body_form(api: ApiClient) -> None:
    _, late = api.add_rooms(room(ts=datetime(2026, 6, 1)), room(ts=datetime(2026, 8, 1)))
    assert api.get(body={"createdAt": {"start": "2026-07-01"}}).room_ids == [late["_id"]]


def test_date_without_time_is_midnight_utc_and_offsets_are_converted(api: ApiClient) -> None:
    early, late = api.add_rooms(room(ts=datetime(2026, 7, 1, 0, 30)), room(ts=datetime(2026, 7, 1, 2, 30)))
    assert api.get({"createdAt": '{"end": "2026-07-01"}'}).room_ids == []
    # 04:00 at UTC+02:00 is 02:00 UTC.
    assert api.get({"createdAt": '{"end": "2026-07-01T04:00:00+02:00"}'}).room_ids == [early["_id"]]
    assert late["_id"] in api.get({"createdAt": '{"end": "2026-07-01T04:31:00+02:00"}'}).room_ids


def test_closed_at_range_filters_on_closed_at(api: ApiClient) -> None:
    _, july = api.add_rooms(room(closedAt=datetime(2026, 6, 15)), room(closedAt=datetime(2026, 7, 15)))
    api.add_rooms(room(open=True))
    answer = api.get({"closedAt": '{"start": "2026-07-01", "end": "2026-07-31"}'})
    assert answer.room_ids == [july["_id"]]


def test_tags_filter_matches_rooms_with_any_of_the_tags(api: ApiClient) -> None:
    vip, refund, _ = api.add_rooms(room(tags=["vip", "x"]), room(tags=["refund"]), room(tags=["other"]))
    assert set(api.get("tags[]=vip&tags[]=refund").room_ids) == {vip["_id"], refund["_id"]}
    assert api.get(body={"tags": ["refund"]}).room_ids == [refund["_id"]]


@pytest.mark.parametrize(
    ("parameter", "field", "wanted", "unwanted"),
    [
        ("queue", "queue", "sales", "support"),
        ("direction", "direction", "outbound", "inbound"),
    ],
)
def test_equality_filters(api: ApiClient, parameter: str, field: str, wanted: str, unwanted: str) -> None:
    match, _ = api.add_rooms(room(**{field: wanted}), room(**{field: unwanted}))
    assert api.get({parameter: wanted}).room_ids == [match["_id"]]
    assert api.get(body={parameter: wanted}).room_ids == [match["_id"]]


def test_visitor_id_filters_on_the_visitors_id(api: ApiClient) -> None:
    match, _ = api.add_rooms(room(v={"_id": "visitor-a"}), room(v={"_id": "visitor-b"}))
    assert api.get({"visitorId": "visitor-a"}).room_ids == [match["_id"]]


def test_room_name_is_a_case_insensitive_substring(api: ApiClient) -> None:
    match, _ = api.add_rooms(room(name="Mary Jones-1700.1"), room(name="John Smith-1701.2"))
    assert api.get({"roomName": "mary jo"}).room_ids == [match["_id"]]


def test_room_name_regex_characters_are_matched_literally(api: ApiClient) -> None:
    literal, _ = api.add_rooms(room(name="a.c (vip)+"), room(name="abc vip"))
    assert api.get({"roomName": "a.c (vip)+"}).room_ids == [literal["_id"]]
    assert api.get({"roomName": ".*"}).room_ids == []


def test_filters_combine_with_and(api: ApiClient) -> None:
    match, _, _ = api.add_rooms(
        room(queue="sales", direction="outbound", open=True),
        room(queue="sales", direction="inbound", open=True),
        room(queue="support", direction="outbound", open=True),
    )
    assert api.get("queue=sales&direction=outbound", body={"open": True}).room_ids == [match["_id"]]


def test_same_filter_in_query_and_body_with_the_same_value_is_accepted(api: ApiClient) -> None:
    opened, _ = _open_and_closed(api)
    assert api.get("open=true", body={"Open": True}).room_ids == [opened]
