"""Rocket.Chat's own web client: the Calls directory's requests, byte for byte, must be answered
(tests/rocketchat_client.py builds them as the client does)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.factories import AGENT, MANAGER, OTHER_AGENT, ApiClient, TestUser, room
from tests.rocketchat_client import PAGE_SIZE, SORT_COLUMNS, call_table_query
from voip_rooms_local.events import EVENT_BUILDERS

SEARCHES = ("", "ana", "Ana Souza")
NAMES = ("Ana Souza", "Bruno Lima", "ana maria", "Chen Wei", "Dana Park")


def test_the_request_is_encoded_as_rocket_chats_client_sends_it() -> None:
    assert call_table_query("demo-agent-1", "fname", True, "", 0) == (
        "agents[]=demo-agent-1&count=25&open=false&roomName=&sort=%7B%20%22fname%22%3A%201%20%7D"
    )


def _calls(owner: TestUser, count: int) -> list[dict[str, Any]]:
    """Closed calls with repeated sort values (so the _id tie-break decides) and missing fields."""
    start = datetime(2026, 8, 1, 9, 0)
    calls = []
    for number in range(count):
        started = start + timedelta(hours=number * 7 % 31, minutes=number)
        call = room(
            fname=NAMES[number % len(NAMES)],
            name=f"{NAMES[number % len(NAMES)]}-{1700000000 + number}.{number}",
            servedBy={"_id": owner.user_id, "username": owner.user_id, "ts": started},
            queue=("sales", "support", "billing")[number % 3],
            direction=("inbound", "outbound")[number % 2],
            ts=started,
            closedAt=started + timedelta(minutes=number % 4),
        )
        if number % 5:
            call["callDuration"] = (number % 6) * 30_000
        calls.append(call)
    return calls


@pytest.fixture
def directory(api: ApiClient) -> ApiClient:
    """An agent's and a manager's calls, the open ones and another agent's among them, never listed."""
    for user in (AGENT, MANAGER, OTHER_AGENT):
        api.add_user(user)
    api.add_rooms(*_calls(AGENT, 40), *_calls(MANAGER, 30), *_calls(OTHER_AGENT, 10))
    api.add_rooms(room(servedBy={"_id": AGENT.user_id}, open=True, fname="Ana Souza", name="Ana Souza-1.1"))
    return api


def _expected(
    api: ApiClient, user: TestUser, *, column: str, ascending: bool, text: str, page: int
) -> list[str]:
    """The page computed here, as MongoDB orders it: a missing field first, then _id in the same direction."""
    rooms = [
        r
        for r in api.db.rocketchat_room.find({"t": "v", "servedBy._id": user.user_id})
        if r.get("open") is not True and text.lower() in r["name"].lower()
    ]
    rooms.sort(key=lambda r: (column in r, r.get(column, 0), r["_id"]), reverse=not ascending)
    return [r["_id"] for r in rooms[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]


@pytest.mark.parametrize("user", [AGENT, MANAGER], ids=lambda u: u.roles[0])
@pytest.mark.parametrize("column", SORT_COLUMNS)
@pytest.mark.parametrize("ascending", [True, False], ids=["asc", "desc"])
@pytest.mark.parametrize("text", SEARCHES, ids=repr)
def test_every_calls_directory_request_answers_the_callers_closed_calls_in_order(
    directory: ApiClient, user: TestUser, column: str, ascending: bool, text: str
) -> None:
    for page in (0, 1):
        answer = directory.get(call_table_query(user.user_id, column, ascending, text, page), user=user)
        assert answer.status == 200, answer.body
        expected = _expected(directory, user, column=column, ascending=ascending, text=text, page=page)
        assert answer.room_ids == expected, page
        assert answer.body["offset"] == page * PAGE_SIZE


def test_the_first_pages_are_full_and_the_search_narrows_them(directory: ApiClient) -> None:
    everything = directory.get(call_table_query(AGENT.user_id, "fname", True, "", 0), user=AGENT).body
    searched = directory.get(call_table_query(AGENT.user_id, "fname", True, "ana", 0), user=AGENT).body
    assert (everything["count"], everything["total"]) == (PAGE_SIZE, 40)
    assert 0 < searched["total"] < 40


@pytest.mark.parametrize("door", sorted(EVENT_BUILDERS))
def test_the_calls_directory_request_is_answered_alike_through_every_front_door(
    directory: ApiClient, door: str
) -> None:
    query = call_table_query(AGENT.user_id, "ts", False, "Ana Souza", 0)
    reference = directory.get(query, user=AGENT)
    event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms", headers=AGENT.credentials, query_string=query)
    answer = directory.send(event)
    assert (answer.status, answer.body) == (200, reference.body)
    assert reference.body["total"] > 0


@pytest.mark.parametrize(
    ("query", "body"),
    [
        ("roomName=&queue=&visitorId=&direction=", None),
        ("visitorId=undefined", None),
        ("agents[]=&tags[]=", None),
        ("agents=&tags=", None),
        ("", {"roomName": "", "queue": "", "visitorId": "", "direction": ""}),
        ("", {"visitorId": "undefined", "agents": [""], "tags": ["", ""]}),
        ("", {"agents": [], "tags": []}),
    ],
)
def test_empty_filters_filter_nothing_in_the_query_string_and_the_body(
    directory: ApiClient, query: str, body: Any
) -> None:
    everything = directory.get()
    answer = directory.get(query, body=body)
    assert answer.status == 200, answer.body
    assert (answer.room_ids, answer.body["total"]) == (everything.room_ids, everything.body["total"])


def test_empty_list_items_are_dropped_and_the_others_kept(directory: ApiClient) -> None:
    answer = directory.get(f"agents[]=&agents[]={MANAGER.user_id}&tags[]=")
    assert answer.body["total"] == 30


def test_an_empty_filter_in_the_query_string_leaves_the_bodys_value_in_force(directory: ApiClient) -> None:
    answer = directory.get("roomName=", body={"roomName": "ana maria"})
    assert answer.status == 200
    assert {r["fname"] for r in answer.body["rooms"]} == {"ana maria"}


def test_an_agent_whose_only_agents_value_is_empty_may_not_list_every_room(directory: ApiClient) -> None:
    # Dropping the empty item leaves no agents filter: the listing of everyone's rooms, which an agent
    # without view-livechat-rooms may not see (Rocket.Chat refuses [""] too: it is not their own id).
    for query, body in (("agents[]=", None), ("", {"agents": [""]}), ("", {"agents": []})):
        answer = directory.get(query, body=body, user=AGENT)
        assert (answer.status, answer.body) == (403, {"success": False, "error": "unauthorized"})


def test_an_agent_may_send_an_empty_item_beside_their_own_id(directory: ApiClient) -> None:
    answer = directory.get(f"agents[]={AGENT.user_id}&agents[]=", user=AGENT)
    assert (answer.status, answer.body["total"]) == (200, 41), "40 closed calls and 1 open"


def test_a_json_body_replaying_the_directory_request_is_answered_like_the_query_string(
    directory: ApiClient,
) -> None:
    body = {"sort": '{ "fname": 1 }', "open": "false", "roomName": "", "agents": [AGENT.user_id], "count": 25}
    from_body = directory.get(body=json.dumps(body), user=AGENT)
    from_query = directory.get(call_table_query(AGENT.user_id, "fname", True, "", 0), user=AGENT)
    assert (from_body.status, from_body.body) == (200, from_query.body)
