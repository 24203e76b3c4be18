"""One handler, every HTTP front door: REST and HTTP APIs, function URLs, ALB; and the sample events."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ADMIN as TEST_ADMIN
from tests.factories import ApiClient, act_as_integration_user, room
from voip_rooms.front_doors import shape_of
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import IntegrationError
from voip_rooms_local.demo import DEMO_USERS
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

EVENTS = Path(__file__).resolve().parents[2] / "events"
HTTP_EVENTS = sorted(path for path in EVENTS.rglob("*.json") if path.parent.name != "integration")
INTEGRATION_EVENTS = sorted((EVENTS / "integration").glob("*.json"))
ADMIN = {"X-User-Id": DEMO_USERS[0].user_id, "X-Auth-Token": DEMO_USERS[0].token}
DOORS = sorted(EVENT_BUILDERS)


def _invoke(event: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = lambda_handler(event, LocalLambdaContext())
    return result


def _recorded_outcome(path: Path) -> str:
    """What the sample answers with, the end of its name: a status, or for an integration event ok or
    the errorType of its function error."""
    return path.name.split(".")[-2]


def test_the_sample_events_cover_every_front_door_and_case() -> None:
    files = sorted(EVENTS.rglob("*.json"))
    assert {f.parent.name for f in files} >= {*DOORS, "direct", "integration"}
    for door in DOORS:
        assert {_recorded_outcome(f) for f in files if f.parent.name == door} == {"200", "400", "401", "403"}
    integration_events = {f: json.loads(f.read_text()) for f in files if f.parent.name == "integration"}
    assert {_recorded_outcome(f) for f in integration_events} == {"ok", "InvalidParameters"}
    assert [f.name for f, event in integration_events.items() if "after" in event["parameters"]], (
        "a cursor page"
    )


@pytest.mark.parametrize("path", HTTP_EVENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_sample_event_gives_its_recorded_status(demo_db: Any, path: Path) -> None:
    result = _invoke(json.loads(path.read_text()))
    assert result["statusCode"] == int(_recorded_outcome(path)), result["body"]


@pytest.mark.parametrize("path", INTEGRATION_EVENTS, ids=lambda p: p.name)
def test_every_sample_integration_event_gives_its_recorded_outcome(
    demo_db: Any, monkeypatch: pytest.MonkeyPatch, path: Path
) -> None:
    act_as_integration_user(monkeypatch)
    event = json.loads(path.read_text())
    if _recorded_outcome(path) == "ok":
        answer = json.loads(lambda_handler(event, LocalLambdaContext()))
        assert (answer["success"], answer["count"]) == (True, event["parameters"]["count"])
    else:
        with pytest.raises(IntegrationError) as failure:
            lambda_handler(event, LocalLambdaContext())
        assert type(failure.value).__name__ == _recorded_outcome(path)


@pytest.mark.parametrize("door", DOORS)
def test_each_event_is_recognised_as_its_front_door(door: str) -> None:
    expected = "alb" if door.startswith("alb") else door
    assert shape_of(EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms")) == expected


@pytest.mark.parametrize(
    "query",
    [
        "open=true&count=7",
        "agents%5B%5D=demo-agent-2&sort=%7B%22fname%22%3A1%7D&count=4&offset=2",
        "createdAt=%7B%22start%22%3A%222026-09-01%22%7D&direction=outbound&roomName=ana",
        "roomName=Ana+Souza&open=false",
        "agents[]=demo-agent-1&count=25&open=false&roomName=&sort=%7B%20%22fname%22%3A%201%20%7D",
    ],
)
def test_the_same_request_gives_the_same_rooms_through_every_front_door(demo_db: Any, query: str) -> None:
    bodies = {
        door: json.loads(
            _invoke(build("GET", "/api/v1/voip/rooms", headers=ADMIN, query_string=query))["body"]
        )
        for door, build in EVENT_BUILDERS.items()
    }
    reference = bodies.pop("rest")
    assert reference["count"] > 0
    for door, body in bodies.items():
        assert body == reference, door


@pytest.mark.parametrize(
    ("request_line", "headers", "status"),
    [
        ("GET /api/v1/voip/rooms", {}, 401),
        ("GET /api/v1/voip/rooms?count=abc", ADMIN, 400),
        ("GET /api/v1/voip/rooms", {"X-User-Id": "demo-user", "X-Auth-Token": "demo-user-token"}, 403),
        ("POST /api/v1/voip/rooms", ADMIN, 405),
        ("GET /api/v1/voip/nothing", ADMIN, 404),
    ],
)
def test_every_front_door_answers_with_the_same_status(
    demo_db: Any, request_line: str, headers: dict[str, str], status: int
) -> None:
    method, _, target = request_line.partition(" ")
    path, _, query = target.partition("?")
    for door, build in EVENT_BUILDERS.items():
        assert _invoke(build(method, path, headers=headers, query_string=query))["statusCode"] == status, door


@pytest.mark.parametrize(
    ("query", "found"),
    [("roomName=%2B49+30", True), ("roomName=%2B49%2030", True), ("roomName=+49+30", False)],
)
def test_plus_is_a_space_and_percent_2b_a_plus_through_every_front_door(
    api: ApiClient, query: str, found: bool
) -> None:
    # Browsers, URLSearchParams and urlencode write a space as "+"; ALB passes it on undecoded.
    api.add_rooms(room(name="+49 30 1234-1700000001.1"), room(name="49 30 5678-1700000002.1"))
    expected = [api.get(query).room_ids[0]] if found else []
    for door, build in EVENT_BUILDERS.items():
        event = build("GET", "/api/v1/voip/rooms", headers=TEST_ADMIN.credentials, query_string=query)
        assert api.send(event).room_ids == expected, door


@pytest.mark.parametrize("door", ["http", "alb"])
@pytest.mark.parametrize("query", ["roomName=Smith%2C%20John", "roomName=Smith,+John"])
def test_a_comma_inside_a_value_stays_in_the_value(demo_db: Any, door: str, query: str) -> None:
    event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms", headers=ADMIN, query_string=query)
    body = json.loads(_invoke(event)["body"])
    assert body["success"] is True  # one roomName, not two values refused as a repeated parameter


def test_alb_answers_carry_a_status_line_and_follow_the_target_groups_header_mode(demo_db: Any) -> None:
    single = _invoke(EVENT_BUILDERS["alb"]("GET", "/api/v1/voip/rooms", headers=ADMIN))
    multi = _invoke(EVENT_BUILDERS["alb-multi"]("POST", "/api/v1/voip/rooms", headers=ADMIN))
    assert single["statusDescription"] == "200 OK"
    assert single["headers"]["Content-Type"] == "application/json"
    assert multi["statusDescription"] == "405 Method Not Allowed"
    assert multi["multiValueHeaders"]["Allow"] == ["GET"]
    assert "headers" not in multi


def test_rest_answers_use_multi_value_headers_and_v2_answers_plain_headers(demo_db: Any) -> None:
    rest = _invoke(EVENT_BUILDERS["rest"]("GET", "/api/v1/voip/rooms", headers=ADMIN))
    url = _invoke(EVENT_BUILDERS["url"]("GET", "/api/v1/voip/rooms", headers=ADMIN))
    assert rest["multiValueHeaders"]["Cache-Control"] == ["no-store"]
    assert url["headers"]["Cache-Control"] == "no-store"


def test_a_credential_header_sent_twice_counts_as_absent(demo_db: Any) -> None:
    event = EVENT_BUILDERS["alb-multi"]("GET", "/api/v1/voip/rooms", headers=ADMIN)
    event["multiValueHeaders"]["x-auth-token"] = [ADMIN["X-Auth-Token"], "another-token"]
    assert _invoke(event)["statusCode"] == 401


@pytest.mark.parametrize("value", [12345, None, ["demo-admin", "demo-admin"], {"id": "demo-admin"}])
def test_a_credential_header_that_is_not_text_is_a_400_naming_it(demo_db: Any, value: Any) -> None:
    # Only a direct invoker can send one (its REST-shaped event needs no multiValueHeaders): API
    # Gateway, function URLs and ALB pass headers as text.
    event = EVENT_BUILDERS["rest"]("GET", "/api/v1/voip/rooms", headers=ADMIN)
    del event["multiValueHeaders"]
    event["headers"]["X-User-Id"] = value
    result = _invoke(event)
    assert result["statusCode"] == 400
    assert json.loads(result["body"]) == {
        "success": False,
        "error": 'The event\'s "headers.X-User-Id" must be text. [invalid-params]',
        "errorType": "invalid-params",
    }


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({}, 'no "operation"'),
        ({"Records": [{"eventSource": "aws:sqs"}]}, 'Unknown member "Records"'),
        ({"requestContext": {}}, 'Unknown member "requestContext"'),
        ([1, 2], "Event 1 of the batch of 2: An integration event is a JSON object"),
        ("GET /api/v1/voip/rooms", "An integration event is a JSON object"),
    ],
)
def test_an_event_of_no_front_doors_shape_fails_as_an_integration_event_naming_what_is_wrong(
    demo_db: Any,
    monkeypatch: pytest.MonkeyPatch,
    event: Any,
    problem: str,
    logs: Callable[[], list[dict[str, Any]]],
) -> None:
    act_as_integration_user(monkeypatch)
    _invoke(EVENT_BUILDERS["rest"]("GET", "/api/v1/voip/rooms"))  # sets a correlation id (and answers 401)
    with pytest.raises(IntegrationError) as failure:
        lambda_handler(event, LocalLambdaContext())
    assert type(failure.value).__name__ == "InvalidParameters"
    assert problem in str(failure.value)
    line = [line for line in logs() if line["message"] == "request"][-1]
    assert (line["front_door"], line["reason"], line["ErrorType"]) == (
        "integration",
        "invalid-params",
        "InvalidParameters",
    )
    assert "correlation_id" not in line, "no request id is carried over from an earlier event"


@pytest.mark.parametrize("door", sorted(EVENT_BUILDERS))
@pytest.mark.parametrize(
    ("member", "value"),
    [("headers", ["a"]), ("queryStringParameters", "count=1"), ("body", {"open": True}), ("path", 7)],
)
def test_a_front_doors_event_with_a_member_of_the_wrong_type_is_a_400_naming_it(
    door: str, member: str, value: Any, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms", headers=ADMIN)
    event[member] = value
    result = lambda_handler(event, LocalLambdaContext())
    assert result["statusCode"] == 400
    body = json.loads(result["body"])
    assert body["error"].startswith(f'The event\'s "{member}" must be '), body
    assert body["error"].endswith(". [invalid-params]")
    assert body["errorType"] == "invalid-params"
    requests = [line for line in logs() if line["message"] == "request"]
    front_door = "alb" if door.startswith("alb") else door
    assert [(line["status"], line["reason"], line["front_door"]) for line in requests] == [
        (400, "invalid-params", front_door)
    ]


def test_each_front_door_logs_its_own_request_id(
    demo_db: Any, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    rest = EVENT_BUILDERS["rest"]("GET", "/api/v1/voip/rooms")
    alb = EVENT_BUILDERS["alb"]("GET", "/api/v1/voip/rooms")
    _invoke(rest)
    _invoke(alb)
    assert [line["correlation_id"] for line in logs()] == [
        rest["requestContext"]["requestId"],
        alb["headers"]["x-amzn-trace-id"],
    ]
