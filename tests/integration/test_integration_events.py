"""Integration events: {"operation": "voip.rooms", "parameters": {...}}, no credential in the event.

The function acts as the Rocket.Chat user INTEGRATION_USER_ID, lists exactly what an HTTP caller with
its roles would list, answers with the response object itself, and fails with a function error whose
class name Lambda reports as the errorType.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from tests.factories import (
    AGENT,
    DEMO_ADMIN,
    ApiClient,
    TestUser,
    act_as_integration_user,
    database_fails_on,
    room,
)
from voip_rooms import integration, listing, params
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import IntegrationError
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore
from voip_rooms_local.demo import INTEGRATION_USER_ID, ROOM_COUNT
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

Logs = Callable[[], list[dict[str, Any]]]
ABSENT = object()
ROOMS_PATH = "/api/v1/voip/rooms"
MINIMAL_DIRECT_EVENT = Path(__file__).resolve().parents[2] / "events/direct/minimal-rest-shape.200.json"


def invoke(parameters: Any = ABSENT, **members: Any) -> Any:
    """The answer object, as the caller receives it from Lambda."""
    event: dict[str, Any] = {"operation": "voip.rooms"}
    if parameters is not ABSENT:
        event["parameters"] = parameters
    return json.loads(lambda_handler(event | members, LocalLambdaContext()))


def failure(parameters: Any = ABSENT, **members: Any) -> IntegrationError:
    with pytest.raises(IntegrationError) as caught:
        invoke(parameters, **members)
    return caught.value


@pytest.fixture
def demo_integration(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    """The demo database, INTEGRATION_USER_ID set to its integration user; a REST client beside it."""
    act_as_integration_user(monkeypatch, INTEGRATION_USER_ID)
    return ApiClient(demo_db)


@pytest.fixture
def integration_api(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> ApiClient:
    """An empty database with an integration user of its own (livechat-manager) and an admin."""
    api.add_user(TestUser("integration-1", ("livechat-manager",)))
    act_as_integration_user(monkeypatch, "integration-1")
    return api


# --- the answer ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parameters",
    [
        {"open": True},
        {"Open": False, "count": 7, "offset": 3},
        {"agents": ["demo-agent-2"], "sort": {"fname": 1}, "fields": {"fname": 1, "v": 1}},
        {"closedAt": {"start": "2026-09-01", "end": "2026-09-30T23:59:59Z"}, "sort": '{"closedAt": 1}'},
        {"queue": "sales", "direction": "outbound", "roomName": "ana", "tags": ["vip", "refund"]},
        {"count": 0, "fields": {"joinCode": 0, "v.token": 0}},
        {"roomName": "", "visitorId": "undefined", "agents": [""], "count": 100},
    ],
)
def test_the_answer_is_the_http_answers_body_itself_as_an_object(
    demo_integration: ApiClient, parameters: dict[str, Any]
) -> None:
    answer = invoke(parameters)
    http = demo_integration.get(body=parameters, user=DEMO_ADMIN)
    assert http.status == 200
    assert answer == http.body
    assert answer["success"] is True
    assert set(answer) == {"rooms", "count", "offset", "total", "next", "success"}


def test_the_answer_is_the_json_text_of_an_object_which_lambda_returns_as_it_is(
    demo_integration: ApiClient,
) -> None:
    # Lambda's Python runtime posts bytes unchanged (awslambdaric's marshaller): the caller gets this
    # JSON object, as it would get a dict the runtime wrote.
    raw = lambda_handler({"operation": "voip.rooms", "parameters": {"count": 2}}, LocalLambdaContext())
    assert isinstance(raw, bytes)
    assert json.loads(raw.decode("utf-8"))["count"] == 2


@pytest.mark.parametrize("parameters", [ABSENT, {}, None])
def test_absent_or_empty_parameters_list_every_room_in_the_default_page(
    demo_integration: ApiClient, parameters: Any
) -> None:
    answer = invoke(parameters)
    assert (answer["count"], answer["offset"], answer["total"]) == (50, 0, ROOM_COUNT)
    assert answer["next"]


def test_a_cursor_page_continues_the_walk_from_next(demo_integration: ApiClient) -> None:
    first = invoke({"open": False, "count": 3, "sort": {"closedAt": 1}})
    second = invoke({"open": False, "count": 3, "sort": {"closedAt": 1}, "after": first["next"]})
    both = invoke({"open": False, "count": 6, "sort": {"closedAt": 1}})
    assert [r["_id"] for r in first["rooms"] + second["rooms"]] == [r["_id"] for r in both["rooms"]]
    assert second["total"] is None


def test_the_visitors_token_is_never_returned(demo_integration: ApiClient) -> None:
    for fields in ({"v": 1}, {"v.token": 1, "fname": 1}, {"fname": 0}):
        answer = invoke({"fields": fields, "count": 100})
        assert answer["rooms"]
        assert not [r for r in answer["rooms"] if "token" in (r.get("v") or {})], fields
        assert "joinCode" not in json.dumps(answer)


def test_a_page_too_large_for_one_answer_ends_early_with_next(
    integration_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    integration_api.add_rooms(*(room(notes="x" * 3_000) for _ in range(10)))
    limited = replace(SETTINGS, integration_user_id="integration-1", max_response_bytes=10_000)
    monkeypatch.setattr(integration, "SETTINGS", limited)
    answer = invoke({"count": 10})
    assert 0 < answer["count"] < 10
    walked = [r["_id"] for r in answer["rooms"]]
    while answer["next"]:
        assert len(json.dumps(answer)) <= 10_000
        answer = invoke({"count": 10, "after": answer["next"]})
        walked += [r["_id"] for r in answer["rooms"]]
    assert sorted(walked) == sorted(r["_id"] for r in integration_api.db.rocketchat_room.find())


# --- InvalidParameters: every 400 of the HTTP API, with its message --------------------------------


@pytest.mark.parametrize(
    "parameters",
    [
        {"bogus": 1},
        {"count": -1},
        {"count": "5"},
        {"open": "yes"},
        {"sort": {"ts": 2}},
        {"sort": {"v.token": 1}},
        {"fields": {"fname": 1, "queue": 0}},
        {"createdAt": {"start": "yesterday"}},
        {"queue": {"$ne": None}},
        {"agents": "demo-agent-1"},
        {"after": "not-a-cursor"},
        {"open": True, "Open": False},
        {"tags": ["x"] * 1_000},
        {"roomName": "x" * 10_000},
    ],
)
def test_bad_parameters_fail_with_invalid_parameters_and_the_http_answers_message(
    demo_integration: ApiClient, parameters: dict[str, Any]
) -> None:
    error = failure(parameters)
    http = demo_integration.get(body=parameters, user=DEMO_ADMIN)
    assert type(error).__name__ == "InvalidParameters"
    assert http.status == 400
    assert str(error) == http.body["error"]


def test_parameters_larger_than_a_body_may_be_fail_with_invalid_parameters(
    demo_integration: ApiClient,
) -> None:
    error = failure({"roomName": "x" * SETTINGS.max_body_bytes})
    assert type(error).__name__ == "InvalidParameters"
    assert str(error) == (
        f'The "parameters" are larger than {SETTINGS.max_body_bytes} bytes, the most a request body may '
        "hold (MAX_BODY_BYTES). [error-body-too-large]"
    )


@pytest.mark.parametrize(
    ("event_members", "message"),
    [
        ({"parameters": {}, "limit": 5}, 'Unknown member "limit" in the integration event'),
        ({"operation": "voip.room"}, 'an integration event\'s "operation" is "voip.rooms"'),
        ({"operation": None}, 'an integration event\'s "operation" is "voip.rooms"'),
        ({"parameters": ["open"]}, 'The "parameters" of an integration event must be a JSON object.'),
        ({"parameters": '{"open": true}'}, 'The "parameters" of an integration event must be a JSON object.'),
        (
            {"parameters": {"open": True, "count": float("nan")}},
            'The "count" parameter holds NaN or Infinity, which is not a JSON number.',
        ),
        (
            {"parameters": {"createdAt": {"start": float("-inf")}}},
            'The "createdAt" parameter holds NaN or Infinity, which is not a JSON number.',
        ),
    ],
)
def test_a_malformed_integration_event_fails_with_invalid_parameters_naming_the_problem(
    demo_integration: ApiClient, event_members: dict[str, Any], message: str
) -> None:
    error = failure(**event_members)
    assert type(error).__name__ == "InvalidParameters"
    assert message in str(error)


def test_infinity_as_lambdas_json_parser_reads_it_is_named_as_not_a_json_number(
    demo_integration: ApiClient,
) -> None:
    # Lambda's runtime parses the event with a JSON parser that accepts Infinity and NaN.
    event = json.loads('{"operation": "voip.rooms", "parameters": {"count": Infinity}}')
    with pytest.raises(IntegrationError) as caught:
        lambda_handler(event, LocalLambdaContext())
    assert str(caught.value) == (
        'The "count" parameter holds NaN or Infinity, which is not a JSON number. [invalid-params]'
    )


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, integration.NO_OPERATION),
        ({"parameters": {"open": True}}, integration.NO_OPERATION),
        (
            {"operation": "voip.rooms", "parameters": {}, "headers": {}},
            'Unknown member "headers" in the integration event: it takes "operation" and "parameters". '
            'An HTTP front door\'s event has a "requestContext" object',
        ),
        (
            {"operation": "voip.rooms", "parameters": {}, "body": "{}"},
            'Unknown member "body" in the integration event',
        ),
        ({"operation": "voip.rooms", "version": "2.0"}, 'Unknown member "version" in the integration event'),
        # A front door's member of the wrong type, where its shape is looked for inside it.
        ({"requestContext": "GET", "operation": "voip.rooms"}, 'Unknown member "requestContext"'),
        (
            {"operation": "voip.rooms", "version": "2.0", "requestContext": {"http": "GET"}},
            'Unknown member "version" in the integration event',
        ),
        (
            {"operation": "voip.rooms", "path": "/api/v1/voip/rooms", "httpMethod": "GET"},
            'Unknown member "path" in the integration event',
        ),
        (None, integration.NOT_AN_OBJECT),
        ("voip.rooms", integration.NOT_AN_OBJECT),
        (5, integration.NOT_AN_OBJECT),
    ],
)
def test_an_event_of_no_front_doors_shape_is_never_an_http_answer_but_invalid_parameters_naming_it(
    demo_integration: ApiClient, event: Any, message: str, logs: Logs
) -> None:
    # Answered as a successful 400 result, Step Functions' ResultSelector would fail on it with
    # States.Runtime, which no Catch can handle.
    with pytest.raises(IntegrationError) as caught:
        lambda_handler(event, LocalLambdaContext())
    assert type(caught.value).__name__ == "InvalidParameters"
    assert message in str(caught.value)
    (line,) = [line for line in logs() if line["message"] == "request"]
    assert (line["front_door"], line["status"], line["reason"]) == ("integration", 400, "invalid-params")


def test_a_wrong_operation_is_refused_before_the_user_is_read_so_an_outage_does_not_hide_it(
    demo_integration: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_fails_on(monkeypatch, "users", ServerSelectionTimeoutError("db.example.net:27017 timed out"))
    assert type(failure({}, operation="voip.room")).__name__ == "InvalidParameters"
    assert type(failure({}, limit=5)).__name__ == "InvalidParameters"
    assert type(failure({})).__name__ == "ServiceUnavailable"


def test_a_bad_parameter_is_refused_before_any_room_is_read(
    demo_integration: ApiClient, rooms_never_read: list[Any]
) -> None:
    failure({"queue": {"$ne": None}})
    assert rooms_never_read == []


# --- Unauthorized: the integration user ----------------------------------------------------------


@pytest.mark.parametrize("event_members", [{"parameters": {}}, {"parameters": {"bogus": 1}}, {"x": 1}])
def test_without_an_integration_user_configured_every_event_fails_unauthorized_naming_the_setting(
    demo_db: Any, monkeypatch: pytest.MonkeyPatch, rooms_never_read: list[Any], event_members: dict[str, Any]
) -> None:
    act_as_integration_user(monkeypatch, "")
    error = failure(**event_members)
    assert type(error).__name__ == "Unauthorized"
    assert "INTEGRATION_USER_ID" in str(error)
    assert "IntegrationUserId" in str(error)
    assert rooms_never_read == []


@pytest.mark.parametrize(
    "stored",
    [
        None,
        TestUser("integration-1", ("livechat-manager",), active=False).document(),
        {"_id": "integration-1", "roles": ["livechat-manager"], "active": True},
        {"_id": "integration-1", "username": "", "roles": ["livechat-manager"]},
    ],
    ids=["missing", "inactive", "without-username", "empty-username"],
)
def test_an_integration_user_missing_inactive_or_without_a_username_fails_unauthorized(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, stored: dict[str, Any] | None
) -> None:
    if stored is not None:
        api.db.users.insert_one(stored)
    act_as_integration_user(monkeypatch, "integration-1")
    error = failure({})
    assert (type(error).__name__, str(error)) == ("Unauthorized", integration.USER_REFUSED)


def test_the_integration_user_is_authenticated_before_parameters_are_checked(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as_integration_user(monkeypatch, "nobody")
    assert type(failure({"bogus": 1})).__name__ == "Unauthorized"


def test_no_token_is_needed_or_read(integration_api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    # The integration user's document loses its tokens: nothing changes.
    integration_api.db.users.update_one({"_id": "integration-1"}, {"$unset": {"services": 1}})
    integration_api.add_rooms(room())
    assert invoke({})["total"] == 1


# --- Forbidden: its roles, from the database, on every invocation ---------------------------------


def test_an_integration_user_without_view_livechat_rooms_lists_only_its_own_rooms(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.add_user(AGENT)
    api.add_rooms(room(), room(servedBy={"_id": "agent-9", "username": "agent-9"}))
    act_as_integration_user(monkeypatch, AGENT.user_id)
    error = failure({})
    assert (type(error).__name__, str(error)) == ("Forbidden", integration.NOT_PERMITTED)
    assert invoke({"agents": [AGENT.user_id]})["total"] == 1
    assert type(failure({"agents": [AGENT.user_id, "agent-9"]})).__name__ == "Forbidden"


def test_removing_the_integration_users_role_in_rocketchat_revokes_it_at_the_next_invocation(
    integration_api: ApiClient,
) -> None:
    integration_api.add_rooms(room())
    assert invoke({})["total"] == 1
    integration_api.db.users.update_one({"_id": "integration-1"}, {"$set": {"roles": ["user"]}})
    assert type(failure({})).__name__ == "Forbidden"
    integration_api.db.users.update_one({"_id": "integration-1"}, {"$set": {"active": False}})
    assert type(failure({})).__name__ == "Unauthorized"


def test_the_permission_map_is_the_http_paths_own_cache(integration_api: ApiClient, logs: Logs) -> None:
    assert integration_api.get().status == 200  # reads the permissions, and caches them
    integration_api.db.rocketchat_permissions.delete_many({})
    assert invoke({})["total"] == 0, "the cached map still grants the listing"
    commands = [line["database_commands"] for line in logs() if line["message"] == "request"]
    assert commands == [3, 2], "the integration event read its user and the rooms; no permission"
    listing.permission_cache = type(listing.permission_cache)(ttl_seconds=0)
    assert type(failure({})).__name__ == "Forbidden", "read again: the permissions are gone"


# --- ServiceUnavailable and InternalError ----------------------------------------------------------


def test_a_database_that_does_not_answer_fails_with_service_unavailable(
    demo_integration: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_fails_on(
        monkeypatch, "rocketchat_room", ServerSelectionTimeoutError("db.example.net:27017 timed out")
    )
    error = failure({"open": True})
    assert (type(error).__name__, str(error)) == ("ServiceUnavailable", "Service temporarily unavailable")


def test_anything_unexpected_fails_with_internal_error_and_no_detail(
    demo_integration: ApiClient, monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("mongodb://reader:s3cr3t@db.example.net detail")

    monkeypatch.setattr(listing, "_listing", broken)
    error = failure({})
    assert (type(error).__name__, str(error)) == ("InternalError", "Internal server error")
    (logged,) = [line for line in logs() if line["message"] == "unexpected error"]
    assert logged["exception_name"] == "RuntimeError", "the cause is logged, not answered"


# --- the function error as Lambda reports it ------------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "error_type"),
    [({"bogus": 1}, "InvalidParameters"), ({"agents": ["someone-else"]}, "Forbidden")],
)
def test_the_function_error_leaves_the_handler_with_its_own_class_and_no_context(
    integration_api: ApiClient, parameters: dict[str, Any], error_type: str
) -> None:
    # Through Powertools' inject_lambda_context, as Lambda's runtime calls the handler.
    integration_api.db.users.update_one({"_id": "integration-1"}, {"$set": {"roles": ["livechat-agent"]}})
    error = failure(parameters)
    assert type(error).__name__ == error_type
    assert error.__suppress_context__
    assert error.__cause__ is None
    frames = [frame.name for frame in traceback.extract_tb(error.__traceback__)]
    # "in": the mutation run renames each function it mutates (x__answered__mutmut_orig).
    assert "_answered" in frames[-1], "the trace Lambda reports ends where it was raised"


# --- the request line, and the metrics by error type ----------------------------------------------


def test_each_invocation_writes_one_request_line_marking_the_integration_caller(
    demo_integration: ApiClient, logs: Logs
) -> None:
    demo_integration.get(user=None)  # an HTTP request first: its correlation id must not carry over
    invoke({"open": True, "count": 5})
    failure({"bogus": 1})
    lines = [line for line in logs() if line["message"] == "request"]
    assert len(lines) == 3
    success, refused = lines[1:]
    for line in (success, refused):
        assert (line["front_door"], line["operation"], line["user_id"]) == (
            "integration",
            "voip.rooms",
            INTEGRATION_USER_ID,
        )
        assert "correlation_id" not in line
        assert not {"method", "path"} & set(line)
    assert (success["status"], success["RoomsReturned"], success["filters"]) == (200, 5, ["open"])
    assert "ErrorType" not in success
    assert (refused["status"], refused["reason"], refused["ErrorType"]) == (
        400,
        "invalid-params",
        "InvalidParameters",
    )


def test_an_unauthorized_line_names_the_configured_user_id_so_a_typo_reads_apart_from_a_deactivation(
    integration_api: ApiClient, monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    act_as_integration_user(monkeypatch, "integraton-1")  # mistyped
    assert type(failure({})).__name__ == "Unauthorized"
    act_as_integration_user(monkeypatch, "integration-1")
    integration_api.db.users.update_one({"_id": "integration-1"}, {"$set": {"active": False}})
    assert type(failure({})).__name__ == "Unauthorized"
    lines = [line for line in logs() if line["message"] == "request"]
    assert [(line["user_id"], line["status"], line["reason"]) for line in lines] == [
        ("integraton-1", 401, "authentication"),
        ("integration-1", 401, "authentication"),
    ]


@pytest.mark.parametrize(
    "case",
    [
        ("unconfigured", "Unauthorized", 401),
        ("bad-parameter", "InvalidParameters", 400),
        ("forbidden", "Forbidden", 403),
        ("outage", "ServiceUnavailable", 503),
        ("bug", "InternalError", 500),
    ],
    ids=lambda case: str(case[0]),
)
def test_each_function_error_is_counted_by_its_error_type(
    demo_integration: ApiClient, monkeypatch: pytest.MonkeyPatch, logs: Logs, case: tuple[str, str, int]
) -> None:
    setup, error_type, status = case
    parameters: dict[str, Any] = {}
    if setup == "unconfigured":
        act_as_integration_user(monkeypatch, "")
    elif setup == "bad-parameter":
        parameters = {"count": -1}
    elif setup == "forbidden":
        act_as_integration_user(monkeypatch, "demo-agent-1")
    elif setup == "outage":
        database_fails_on(monkeypatch, "rocketchat_room", ServerSelectionTimeoutError("timed out"))
    else:
        database_fails_on(monkeypatch, "rocketchat_room", RuntimeError("bug"))
    assert type(failure(parameters)).__name__ == error_type
    (line,) = [line for line in logs() if line["message"] == "request"]
    assert (line["status"], line["StatusClass"], line["ErrorType"], line["FunctionErrors"]) == (
        status,
        f"{status // 100}xx",
        error_type,
        1,
    )
    main, function_errors = line["_aws"]["CloudWatchMetrics"]
    assert main["Dimensions"] == [["service"], ["service", "StatusClass"]]
    assert function_errors["Dimensions"] == [["service"], ["service", "ErrorType"]]
    assert function_errors["Metrics"] == [{"Name": "FunctionErrors", "Unit": "Count"}]


# --- no HTTP request is ever an integration event ---------------------------------------------------

INTEGRATION_EVENT = {"operation": "voip.rooms", "parameters": {}}


@pytest.mark.parametrize("door", sorted(EVENT_BUILDERS))
def test_an_integration_event_sent_as_a_body_through_any_front_door_is_an_ordinary_body(
    demo_integration: ApiClient, door: str
) -> None:
    body = json.dumps(INTEGRATION_EVENT)
    event = EVENT_BUILDERS[door]("GET", ROOMS_PATH, headers=DEMO_ADMIN.credentials, body=body)
    result = lambda_handler(event, LocalLambdaContext())
    assert result["statusCode"] == 400
    assert json.loads(result["body"])["error"] == 'Unknown parameter "operation". [invalid-params]'


@pytest.mark.parametrize("door", sorted(EVENT_BUILDERS))
def test_an_integration_events_members_in_the_query_string_are_unknown_parameters(
    demo_integration: ApiClient, door: str
) -> None:
    query = "operation=voip.rooms&parameters=%7B%7D"
    event = EVENT_BUILDERS[door]("GET", ROOMS_PATH, headers=DEMO_ADMIN.credentials, query_string=query)
    result = lambda_handler(event, LocalLambdaContext())
    assert result["statusCode"] == 400
    assert json.loads(result["body"])["error"] == 'Unknown parameter "operation". [invalid-params]'


@pytest.mark.parametrize("door", [*sorted(EVENT_BUILDERS), "direct"])
def test_a_front_doors_event_with_an_operation_member_is_still_an_http_request_needing_credentials(
    demo_integration: ApiClient, door: str
) -> None:
    # The integration user is configured: still, an HTTP request is never answered as that user.
    build = EVENT_BUILDERS.get(door)
    event = build("GET", ROOMS_PATH) if build else json.loads(MINIMAL_DIRECT_EVENT.read_text())
    for name in ("headers", "multiValueHeaders"):
        event.pop(name, None)
    result = lambda_handler(event | INTEGRATION_EVENT, LocalLambdaContext())
    assert result["statusCode"] == 401
    assert json.loads(result["body"])["error"] == "You must be logged in to do this."


def test_an_operation_beside_an_http_member_without_a_front_doors_shape_is_invalid_parameters(
    demo_integration: ApiClient,
) -> None:
    with pytest.raises(IntegrationError) as caught:
        lambda_handler(INTEGRATION_EVENT | {"body": "{}"}, LocalLambdaContext())
    assert type(caught.value).__name__ == "InvalidParameters"
    assert str(caught.value).startswith('Unknown member "body"')


def test_the_integration_user_is_read_without_its_tokens(integration_api: ApiClient) -> None:
    store = RocketChatStore(integration_api.db)
    user = store.find_user_by_id("integration-1")
    assert user == {
        "_id": "integration-1",
        "username": "integration-1",
        "roles": ["livechat-manager"],
        "active": True,
    }


def test_an_unknown_member_no_front_door_has_is_named_without_the_front_doors_hint(
    demo_integration: ApiClient,
) -> None:
    error = failure({}, limit=5)
    assert str(error) == (
        'Unknown member "limit" in the integration event: it takes "operation" and "parameters". '
        "[invalid-params]"
    )


def test_parameters_nested_deeper_than_json_goes_fail_with_invalid_parameters_saying_so(
    demo_integration: ApiClient,
) -> None:
    nested: dict[str, Any] = {}
    for _ in range(5_000):
        nested = {"start": nested}
    error = failure({"createdAt": nested})
    assert (type(error).__name__, str(error)) == (
        "InvalidParameters",
        f"{integration.TOO_DEEP} [invalid-params]",
    )


def test_parameters_are_measured_in_utf8_as_a_body_of_the_same_text_is(
    demo_integration: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 200 characters of two bytes each in UTF-8, of six as \u escapes: within 600 bytes only as UTF-8.
    monkeypatch.setattr(params, "SETTINGS", replace(SETTINGS, max_body_bytes=600))
    name = "é" * 200
    assert invoke({"roomName": name})["count"] == 0
