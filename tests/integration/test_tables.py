"""The handler's and the parameters' tables, entry by entry: a dropped or changed entry fails here."""

from __future__ import annotations

import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler.api_gateway import (
    ALBResolver,
    APIGatewayHttpResolver,
    APIGatewayRestResolver,
)
from aws_lambda_powertools.event_handler.lambda_function_url import LambdaFunctionUrlResolver

from tests.factories import ADMIN, ApiClient, room
from voip_rooms import handler
from voip_rooms.errors import (
    AuthenticationFailed,
    ConnectionSecretUnavailable,
    DatabaseCredentialsRejected,
    DatabaseNotConfigured,
    DatabaseUnavailable,
    Forbidden,
    InvalidParams,
    PayloadTooLarge,
    RoomTooLarge,
)
from voip_rooms.handler import lambda_handler
from voip_rooms.params import FIELD_NAMES, RoomsParams, parse_rooms_params
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext, rest_event

NOT_LOGGED_IN = "You must be logged in to do this."


@pytest.mark.parametrize(
    ("error", "status", "body"),
    [
        (
            AuthenticationFailed(),
            401,
            {"success": False, "status": "error", "message": NOT_LOGGED_IN, "error": NOT_LOGGED_IN},
        ),
        (
            InvalidParams("Bad sort.", "error-invalid-sort"),
            400,
            {"success": False, "error": "Bad sort. [error-invalid-sort]", "errorType": "error-invalid-sort"},
        ),
        (
            PayloadTooLarge(),
            413,
            {
                "success": False,
                "error": "The request body is larger than 16384 bytes [error-body-too-large]",
                "errorType": "error-body-too-large",
            },
        ),
        (Forbidden(), 403, {"success": False, "error": "unauthorized"}),
        (
            DatabaseUnavailable("AutoReconnect"),
            503,
            {"success": False, "error": "Service temporarily unavailable"},
        ),
        (
            DatabaseCredentialsRejected("OperationFailure"),
            503,
            {"success": False, "error": "Service temporarily unavailable"},
        ),
        (
            ConnectionSecretUnavailable("AccessDeniedException"),
            503,
            {"success": False, "error": "Service temporarily unavailable"},
        ),
        (
            DatabaseNotConfigured("MONGODB_URI", "is not a connection string the driver can use"),
            503,
            {"success": False, "error": "Service temporarily unavailable"},
        ),
        (KeyError("anything else"), 500, {"success": False, "error": "Internal server error"}),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else None,
)
def test_each_error_has_its_one_answer(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, error: Exception, status: int, body: dict[str, Any]
) -> None:
    def fails(*_: Any) -> Any:
        raise error

    monkeypatch.setattr(handler, "parse_rooms_params", fails)
    answer = api.get()
    assert (answer.status, answer.body) == (status, body)
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"


def test_every_error_answer_is_covered_above() -> None:
    # RoomTooLarge's answer is tested with the page-size limit (tests/integration/test_response_size.py).
    assert list(handler.ERROR_ANSWERS) == [
        AuthenticationFailed,
        RoomTooLarge,
        InvalidParams,
        PayloadTooLarge,
        Forbidden,
        DatabaseUnavailable,
        DatabaseNotConfigured,
        ConnectionSecretUnavailable,
        Exception,
    ]


def test_each_front_door_is_served_by_its_own_resolver() -> None:
    built = {door: type(make()) for door, make in handler.FRONT_DOORS.items()}
    assert built == {
        "rest": APIGatewayRestResolver,
        "http": APIGatewayHttpResolver,
        "url": LambdaFunctionUrlResolver,
        "alb": ALBResolver,
    }


def test_the_alb_front_door_decodes_the_percent_encoded_query_string(api: ApiClient) -> None:
    api.add_rooms(room(queue="sales team"), room(queue="sales"))
    event = EVENT_BUILDERS["alb"](
        "GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, query_string="queue=sales%20team"
    )
    answer = api.send(event)
    assert (answer.status, [r["queue"] for r in answer.body["rooms"]]) == (200, ["sales team"])


def test_a_direct_events_wrong_typed_member_gets_a_complete_http_shaped_answer() -> None:
    event = rest_event("GET", "/api/v1/voip/rooms")
    event["queryStringParameters"] = {"count": 5}
    result = lambda_handler(event, LocalLambdaContext())
    assert result == {
        "statusCode": 400,
        "headers": {"Content-Type": "application/json", "Cache-Control": "no-store"},
        "body": json.dumps(
            {
                "success": False,
                "error": 'The event\'s "queryStringParameters.count" must be text. [invalid-params]',
                "errorType": "invalid-params",
            },
            separators=(",", ":"),
        ),
        "isBase64Encoded": False,
    }


# Public name -> a valid value as the body sends it -> the RoomsParams field and what it holds.
PARAMETERS: dict[str, tuple[Any, str, Any]] = {
    "agents": (["a1"], "agents", ("a1",)),
    "open": (True, "open", True),
    "createdAt": ({"start": "2026-07-01"}, "created_at", "2026-07-01"),
    "closedAt": ({"end": "2026-07-02"}, "closed_at", "2026-07-02"),
    "tags": (["vip"], "tags", ("vip",)),
    "queue": ("sales", "queue", "sales"),
    "visitorId": ("visitor-1", "visitor_id", "visitor-1"),
    "direction": ("outbound", "direction", "outbound"),
    "roomName": ("Visitor", "room_name", "Visitor"),
    "count": (5, "count", 5),
    "offset": (10, "offset", 10),
    "sort": ({"ts": 1}, "sort", (("ts", 1),)),
    "fields": ({"fname": 1}, "fields", (("fname", 1),)),
}


def test_the_table_above_covers_every_parameter() -> None:
    # A cursor is only made by a page's "next" (tests/integration/test_cursor_paging.py).
    assert set(FIELD_NAMES) - set(PARAMETERS) == {"after"}
    assert set(PARAMETERS) <= set(FIELD_NAMES)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_each_parameter_sets_its_own_field_through_its_own_validator(name: str) -> None:
    value, field, expected = PARAMETERS[name]
    params = parse_rooms_params(None, json.dumps({name: value}))
    held = getattr(params, field)
    if field.endswith("_at"):
        held = (held.start or held.end).date().isoformat()
    assert held == expected
    unset = {other for other in RoomsParams.__dataclass_fields__ if other != field}
    assert all(getattr(params, other) is None for other in unset)


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_each_parameter_is_named_publicly_when_given_twice_differently(name: str) -> None:
    value, _, _ = PARAMETERS[name]
    other = {
        "agents": ["a2"],
        "open": False,
        "createdAt": {"start": "2026-08-01"},
        "closedAt": {"end": "2026-08-02"},
        "tags": ["other"],
        "direction": "inbound",
        "count": 6,
        "offset": 11,
        "sort": {"ts": -1},
        "fields": {"msgs": 1},
    }.get(name, "other")
    query = {name: [json.dumps(other) if isinstance(other, dict | bool) else str(other)]}
    if isinstance(other, list):
        query = {name: other}
    with pytest.raises(InvalidParams) as refused:
        parse_rooms_params(query, json.dumps({name: value}))
    assert refused.value.message == f'The "{name}" parameter is given twice with different values.'
