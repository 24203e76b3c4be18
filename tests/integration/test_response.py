"""§4 and §5 of the contract: the envelope, BSON → JSON, and every error status."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from bson import Binary, Decimal128, Int64, ObjectId
from pymongo.errors import AutoReconnect, ExecutionTimeout, OperationFailure, ServerSelectionTimeoutError

from tests.factories import ADMIN, ApiClient, database_fails_on, room
from voip_rooms.auth import hash_login_token
from voip_rooms.store import RocketChatStore
from voip_rooms_local.events import rest_event


def test_success_envelope_and_headers(api: ApiClient) -> None:
    api.add_rooms(room(), room())
    answer = api.get()
    assert answer.status == 200
    assert list(answer.body) == ["rooms", "count", "offset", "total", "next", "success"]
    assert (answer.body["count"], answer.body["offset"], answer.body["total"], answer.body["success"]) == (
        2,
        0,
        2,
        True,
    )
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"


def test_documented_doubled_slash_path_is_served(api: ApiClient) -> None:
    api.add_rooms(room(open=True))
    answer = api.get(path="/api//v1/voip/rooms", body={"open": True})
    assert answer.status == 200
    assert answer.body["count"] == 1


def test_bson_values_become_the_contracts_json(api: ApiClient) -> None:
    oid = ObjectId("65a1b2c3d4e5f60718293a4b")
    api.add_rooms(
        room(
            ts=datetime(2021, 7, 9, 20, 12, 19, 795000),
            closedAt=datetime(2021, 7, 9, 21, 0),
            ref=oid,
            price=Decimal128("12.50"),
            blob=Binary(b"\x00\x01voip"),
            nan=float("nan"),
            inf=float("-inf"),
            big=Int64(2**40),
            uid=Binary.from_uuid(uuid.UUID("12345678-1234-5678-1234-567812345678")),
            text="2021-07-09T20:12:19.795000Z",
        )
    )
    returned = api.get().body["rooms"][0]
    assert returned["ts"] == "2021-07-09T20:12:19.795Z"
    assert returned["closedAt"] == "2021-07-09T21:00:00.000Z"
    assert returned["servedBy"]["ts"] == "2021-07-09T20:12:19.795Z"
    assert returned["ref"] == "65a1b2c3d4e5f60718293a4b"
    assert returned["price"] == "12.50"
    assert base64.b64decode(returned["blob"]) == b"\x00\x01voip"
    assert returned["nan"] is None
    assert returned["inf"] is None
    assert returned["big"] == 2**40
    assert (
        returned["uid"] == base64.b64encode(uuid.UUID("12345678-1234-5678-1234-567812345678").bytes).decode()
    )
    assert returned["text"] == "2021-07-09T20:12:19.795000Z", "user strings are never rewritten"


def test_other_methods_get_405_with_allow(api: ApiClient) -> None:
    answer = api.get(method="POST", body={"open": True})
    assert answer.status == 405
    assert answer.headers["allow"] == "GET"
    assert answer.body["success"] is False


def test_unknown_path_gets_a_json_404(api: ApiClient) -> None:
    answer = api.get(path="/api/v1/voip/room")
    assert answer.status == 404
    assert answer.body == {"success": False, "error": "Not found"}


def test_body_above_the_limit_is_a_413(api: ApiClient) -> None:
    answer = api.get(body=json.dumps({"queue": "q" * 20_000}))
    assert answer.status == 413
    assert answer.body["success"] is False


def test_base64_encoded_body_is_decoded(api: ApiClient) -> None:
    opened = api.add_rooms(room(open=True), room())[0]
    event = rest_event(
        "GET",
        "/api/v1/voip/rooms",
        headers=ADMIN.credentials,
        body=base64.b64encode(b'{"open": true}').decode(),
    )
    event["isBase64Encoded"] = True
    assert api.send(event).room_ids == [opened["_id"]]


def test_undecodable_base64_body_is_a_400(api: ApiClient) -> None:
    event = rest_event("GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, body="%%%not base64")
    event["isBase64Encoded"] = True
    assert api.send(event).status == 400


@pytest.mark.parametrize(
    "fault",
    [
        ServerSelectionTimeoutError("db.internal:27017: [Errno 111] Connection refused"),
        AutoReconnect("db.internal:27017: connection closed"),
        ExecutionTimeout("operation exceeded time limit", 50),
        OperationFailure("Authentication failed.", 18),
    ],
)
def test_database_faults_answer_503_without_details(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, fault: Exception
) -> None:
    database_fails_on(monkeypatch, "rocketchat_room", fault)
    answer = api.get()
    assert answer.status == 503
    assert answer.body == {"success": False, "error": "Service temporarily unavailable"}


def test_unreachable_database_during_authentication_answers_503(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_fails_on(monkeypatch, "users", ServerSelectionTimeoutError("db.internal:27017: timed out"))
    assert api.get().status == 503


def test_query_errors_that_are_not_outages_are_a_500(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    database_fails_on(monkeypatch, "rocketchat_room", OperationFailure("unknown operator", 2))
    assert api.get().status == 500


def test_unexpected_error_answers_a_generic_500_and_is_logged_once(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(RocketChatStore, "count_rooms", broken)
    api.add_rooms(*(room() for _ in range(51)))
    answer = api.get()
    assert answer.status == 500
    assert answer.body == {"success": False, "error": "Internal server error"}
    errors = [line for line in logs() if line["level"] == "ERROR"]
    assert len(errors) == 1
    assert "RuntimeError" in errors[0]["exception"]
    assert errors[0]["correlation_id"]


def test_refusals_are_logged_once_with_the_request_id_and_without_credentials(
    api: ApiClient, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    token = ADMIN.credentials["X-Auth-Token"]
    event = rest_event(
        "GET", "/api/v1/voip/rooms", headers={"X-User-Id": ADMIN.user_id, "X-Auth-Token": token + "x"}
    )
    api.send(event)
    lines = logs()
    assert len(lines) == 1
    assert lines[0]["status"] == 401
    assert lines[0]["correlation_id"] == event["requestContext"]["requestId"]
    assert token not in json.dumps(lines)


def test_no_error_body_carries_a_trace_token_hash_or_address(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = ADMIN.credentials["X-Auth-Token"]
    secrets = [token, hash_login_token(token), "db.internal", "Traceback", "27017"]
    bodies = [
        api.get(user=None, headers={"X-User-Id": ADMIN.user_id, "X-Auth-Token": token + "x"}).raw["body"],
        api.get("count=abc").raw["body"],
        api.get(body={"queue": {"$ne": token}}).raw["body"],
    ]

    database_fails_on(
        monkeypatch, "rocketchat_room", ServerSelectionTimeoutError(f"db.internal:27017 {token}")
    )
    unavailable = api.get()
    assert unavailable.status == 503
    bodies.append(unavailable.raw["body"])
    for body in bodies:
        assert not [secret for secret in secrets if secret in body], body
