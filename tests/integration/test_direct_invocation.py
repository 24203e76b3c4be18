"""A direct invoker's REST-shaped event (events/direct): the shape the README documents for AWS callers
that send credentials, with only the members it needs, in the types a JSON document gives them."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ADMIN, ApiClient, room
from voip_rooms.front_doors import shape_of
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import InvalidParameters, Unauthorized
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

MINIMAL_EVENT = Path(__file__).resolve().parents[2] / "events/direct/minimal-rest-shape.200.json"
DELETED = object()


def _direct(query: dict[str, Any] | None = None, **members: Any) -> dict[str, Any]:
    """The README's minimal direct event: single-value maps only, no multi-value ones."""
    event: dict[str, Any] = json.loads(MINIMAL_EVENT.read_text())
    event["queryStringParameters"] = query
    return event | members


def _invoke(event: Any) -> tuple[int, Any]:
    result = lambda_handler(event, LocalLambdaContext())
    return result["statusCode"], json.loads(result["body"])


def test_a_single_value_agents_parameter_with_a_comma_is_one_agent_id_never_two(demo_db: Any) -> None:
    status, body = _invoke(_direct({"agents": "demo-agent-1,demo-agent-2"}))
    assert (status, body["total"]) == (200, 0), "no agent has that id: not the 110 rooms of two agents"
    status, body = _invoke(_direct({"agents": "demo-agent-1"}))
    assert (status, body["total"]) == (200, 53)


@pytest.mark.parametrize(
    "query",
    [
        {"createdAt": '{"start": "2026-09-01", "end": "2026-09-30T23:59:59Z"}'},
        {"closedAt": '{"start": "2026-09-01", "end": "2026-09-30T23:59:59Z"}'},
        {"sort": '{"queue": 1, "ts": -1}'},
        {"fields": '{"fname": 1, "queue": 1}'},
    ],
)
def test_json_parameters_with_two_keys_are_read_whole(demo_db: Any, query: dict[str, str]) -> None:
    status, body = _invoke(_direct(query))
    assert status == 200, body
    assert body["count"] > 0


def test_a_room_name_with_a_comma_is_one_filter(api: ApiClient) -> None:
    api.add_rooms(room(name="Smith, John-1700000001.1"), room(name="John Smith-1700000002.1"))
    event = _direct({"roomName": "Smith, John"}, headers=ADMIN.credentials)
    status, body = _invoke(event)
    assert (status, [r["name"] for r in body["rooms"]]) == (200, ["Smith, John-1700000001.1"])


def test_the_multi_value_map_still_carries_repeated_parameters(demo_db: Any) -> None:
    event = _direct(
        {"agents[]": "demo-agent-2"},
        multiValueQueryStringParameters={"agents[]": ["demo-agent-1", "demo-agent-2"]},
    )
    status, body = _invoke(event)
    assert (status, body["total"]) == (200, 110)


@pytest.mark.parametrize(
    ("member", "value", "named"),
    [
        (("queryStringParameters", "count"), 5, "queryStringParameters.count"),
        (("queryStringParameters", "open"), True, "queryStringParameters.open"),
        (("queryStringParameters", "queue"), None, "queryStringParameters.queue"),
        (("multiValueQueryStringParameters",), {"count": ["5", 5]}, "multiValueQueryStringParameters.count"),
        (("multiValueQueryStringParameters",), {"count": "5"}, "multiValueQueryStringParameters.count"),
        (("headers", "X-Auth-Token"), 12345, "headers.X-Auth-Token"),
        (("multiValueHeaders",), {"X-User-Id": "demo-manager"}, "multiValueHeaders.X-User-Id"),
        (("body",), {"open": True}, "body"),
        (("isBase64Encoded",), "false", "isBase64Encoded"),
        (("httpMethod",), None, "httpMethod"),
        (("path",), ["/api/v1/voip/rooms"], "path"),
    ],
)
def test_a_wrong_typed_member_of_a_direct_event_is_a_400_naming_it(
    demo_db: Any, member: tuple[str, ...], value: Any, named: str
) -> None:
    event = _direct({"open": "true", "count": "10", "queue": "support"})
    holder = event
    for name in member[:-1]:
        holder = holder[name]
    holder[member[-1]] = value
    status, body = _invoke(event)
    assert (status, body["success"], body["errorType"]) == (400, False, "invalid-params")
    assert body["error"].startswith(f'The event\'s "{named}" must be '), body
    assert body["error"].endswith(". [invalid-params]"), body


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path to every member of a JSON document, containers included."""
    if path:
        yield path
    children = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, child in children:
        yield from _leaves(child, (*path, key))


def _events() -> dict[str, dict[str, Any]]:
    query, body = "open=true&count=2&agents[]=demo-agent-1", '{"queue": "sales"}'
    built = {
        door: build("GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, query_string=query, body=body)
        for door, build in EVENT_BUILDERS.items()
    }
    return built | {"direct": _direct({"open": "true", "count": "2"})}


@pytest.mark.parametrize(("door", "event"), _events().items(), ids=list(_events()))
def test_no_member_of_any_front_doors_event_in_any_type_makes_the_function_fail(
    demo_db: Any, door: str, event: dict[str, Any]
) -> None:
    # Each member in turn, anywhere in the event, replaced by a value of each JSON type, or left out.
    for path in list(_leaves(event)):
        for wrong in (5, None, True, ["x"], {"x": "y"}, DELETED):
            changed = copy.deepcopy(event)
            holder = changed
            for key in path[:-1]:
                holder = holder[key]
            if wrong is DELETED:
                del holder[path[-1]]
            else:
                holder[path[-1]] = wrong
            try:
                status, body = _invoke(changed)
            except (InvalidParameters, Unauthorized):
                # No front door's shape left (its requestContext gone): an integration event's refusal
                # (Unauthorized first here, where INTEGRATION_USER_ID is unset).
                assert shape_of(changed) is None, (path, wrong)
                continue
            assert status < 500, (path, wrong, body)


def test_a_wrong_typed_members_name_is_quoted_back_short_and_as_text_json_can_carry(demo_db: Any) -> None:
    name = "\ud800" + "x" * 1000
    status, body = _invoke(_direct({name: 5}))
    assert status == 400
    assert body["error"] == (
        f'The event\'s "queryStringParameters.\\ud800{"x" * 41}" must be text. [invalid-params]'
    )


@pytest.mark.parametrize("door", ["http", "url"])
def test_a_hand_written_payload_v2_event_without_a_raw_query_string_takes_its_parameters_whole(
    demo_db: Any, door: str
) -> None:
    event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms", headers=_direct()["headers"])
    del event["rawQueryString"]
    event["queryStringParameters"] = {"agents": "demo-agent-1", "count": "5"}
    status, body = _invoke(event)
    assert (status, body["count"], body["total"]) == (200, 5, 53), "the parameters are not dropped"
    event["queryStringParameters"] = {"agents": "demo-agent-1,demo-agent-2", "sort": '{"queue": 1, "ts": -1}'}
    status, body = _invoke(event)
    assert (status, body["total"]) == (200, 0), "one agent id with a comma in it, never two agents"


@pytest.mark.parametrize("door", ["http", "url"])
def test_a_payload_v2_events_repeated_parameter_is_read_from_its_raw_query_string(
    demo_db: Any, door: str
) -> None:
    def total(query: str) -> int:
        event = EVENT_BUILDERS[door](
            "GET", "/api/v1/voip/rooms", headers=_direct()["headers"], query_string=query
        )
        status, body = _invoke(event)
        assert status == 200
        return int(body["total"])

    # Its queryStringParameters hold "demo-agent-1,demo-agent-2": one agent id that no room names.
    both = total("agents[]=demo-agent-1&agents[]=demo-agent-2")
    assert both == total("agents[]=demo-agent-1") + total("agents[]=demo-agent-2") > 53
