"""The handler's own reading of a request at its edges: body size, base64, blank values, odd events."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

import pytest
from pymongo.read_preferences import Nearest, PrimaryPreferred

from tests.factories import ADMIN, ApiClient, act_as_integration_user
from voip_rooms import front_doors, integration, listing
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import IntegrationError
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext, rest_event

LIMIT = SETTINGS.max_body_bytes


def _body_of(size: int, character: str = "a") -> str:
    """A JSON body of exactly `size` bytes whose padding is `character` (one or more bytes each)."""
    frame = '{"queue":""}'
    room = size - len(frame)
    width = len(character.encode())
    padding = character * (room // width) + "a" * (room % width)
    return '{"queue":"' + padding + '"}'


def _status(api: ApiClient, body: str, *, base64_encoded: bool = False) -> int:
    event = rest_event("GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, body=body)
    if base64_encoded:
        event["body"] = base64.b64encode(body.encode()).decode()
        event["isBase64Encoded"] = True
    return api.send(event).status


@pytest.mark.parametrize("base64_encoded", [False, True])
def test_a_body_of_exactly_the_limit_is_read_and_one_byte_more_is_a_413(
    api: ApiClient, base64_encoded: bool
) -> None:
    # Read: the queue value is then judged (too long for a string parameter: 400), not the body's size.
    assert _status(api, _body_of(LIMIT), base64_encoded=base64_encoded) == 400
    assert _status(api, _body_of(LIMIT + 1), base64_encoded=base64_encoded) == 413


def test_a_body_under_the_limit_in_characters_but_over_it_in_bytes_is_a_413(api: ApiClient) -> None:
    body = _body_of(LIMIT + 2, "é")
    assert len(body) <= LIMIT < len(body.encode())
    assert _status(api, body) == 413


def test_a_multibyte_body_of_exactly_the_limit_in_bytes_is_read(api: ApiClient) -> None:
    body = _body_of(LIMIT, "é")
    assert len(body.encode()) == LIMIT
    assert _status(api, body) == 400  # read, then its queue judged too long


def test_a_base64_body_with_characters_outside_the_alphabet_is_a_400(api: ApiClient) -> None:
    encoded = base64.b64encode(b'{"open": true}').decode()
    event = rest_event(
        "GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, body=encoded[:4] + "!" + encoded[4:]
    )
    event["isBase64Encoded"] = True
    answer = api.send(event)
    assert answer.status == 400
    assert answer.body["error"] == "The request body must be a JSON object. [invalid-params]"


@pytest.mark.parametrize("door", ["http", "url"])
def test_a_blank_value_in_a_payload_v2_query_string_is_judged_not_dropped(api: ApiClient, door: str) -> None:
    event = EVENT_BUILDERS[door](
        "GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, query_string="count="
    )
    answer = api.send(event)
    assert answer.status == 400
    assert answer.body["error"].startswith('The "count" parameter must be an integer')


@pytest.mark.parametrize(
    "event",
    [
        {
            "version": "2.0",
            "requestContext": {"http": "GET /api/v1/voip/rooms"},
            "rawPath": "/api/v1/voip/rooms",
        },
        {"version": "1.0", "requestContext": {"http": {"method": "GET"}}, "rawPath": "/api/v1/voip/rooms"},
        {"requestContext": {"http": {"method": "GET"}}, "rawPath": "/api/v1/voip/rooms"},
        {"version": "2.0", "requestContext": "elb", "httpMethod": "GET"},
    ],
    ids=["http-not-an-object", "version-1", "no-version", "context-not-an-object"],
)
def test_an_event_that_only_looks_like_payload_v2_fails_as_an_integration_event_saying_so(
    event: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as_integration_user(monkeypatch)
    with pytest.raises(IntegrationError) as failure:
        lambda_handler(event, LocalLambdaContext())
    assert type(failure.value).__name__ == "InvalidParameters"
    assert str(failure.value).startswith('Unknown member "')
    assert str(failure.value).endswith(f"{integration.NOT_A_FRONT_DOORS_SHAPE} [invalid-params]")


def test_the_configured_read_preference_reaches_the_room_listing(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    stores: list[RocketChatStore] = []

    class RecordingStore(RocketChatStore):
        def __init__(self, database: Any, listing_read_preference: str = "primary") -> None:
            super().__init__(database, listing_read_preference)
            stores.append(self)

    monkeypatch.setattr(listing, "SETTINGS", replace(SETTINGS, mongodb_read_preference="nearest"))
    monkeypatch.setattr(listing, "RocketChatStore", RecordingStore)
    monkeypatch.setattr(listing, "_store_instance", None)
    assert api.get().status == 200
    assert [store._rooms.read_preference for store in stores] == [Nearest()]
    assert stores[0]._users.read_preference == PrimaryPreferred()


def test_a_payload_v2_event_without_a_domain_name_is_an_http_api_request() -> None:
    event = EVENT_BUILDERS["http"]("GET", "/api/v1/voip/rooms")
    del event["requestContext"]["domainName"]
    assert front_doors.shape_of(event) == "http"
    assert lambda_handler(event, LocalLambdaContext())["statusCode"] == 401
