"""What the handler logs for errors and events of no known shape, and the request id every line carries."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import mongomock
import pytest
from pymongo.errors import ServerSelectionTimeoutError

from tests.factories import ApiClient, act_as_integration_user
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import IntegrationError
from voip_rooms.store import RocketChatStore
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

Logs = Callable[[], list[dict[str, Any]]]


def _only_line(logs: Logs, message: str) -> dict[str, Any]:
    lines = [line for line in logs() if line.get("message") == message]
    assert len(lines) == 1, logs()
    return lines[0]


def _fields(line: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: line.get(name) for name in ("level", "message", *names)}


def test_an_unreachable_database_is_logged_as_an_error_naming_the_driver_error(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(*_: Any, **__: Any) -> Any:
        raise ServerSelectionTimeoutError("db.internal:27017: timed out")

    monkeypatch.setattr(mongomock.Collection, "find", unreachable)
    assert api.get().status == 503
    assert _fields(_only_line(logs, "database unavailable"), "status", "cause") == {
        "level": "ERROR",
        "message": "database unavailable",
        "status": 503,
        "cause": "ServerSelectionTimeoutError",
    }


def test_an_unexpected_error_is_logged_with_its_traceback(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(RocketChatStore, "find_rooms", broken)
    assert api.get().status == 500
    line = _only_line(logs, "unexpected error")
    assert _fields(line, "status") == {"level": "ERROR", "message": "unexpected error", "status": 500}
    assert "RuntimeError: boom" in line["exception"]


@pytest.mark.parametrize("event", [{"X-Auth-Token": "s3cr3t-token"}, ["s3cr3t-token"], "s3cr3t-token"])
def test_an_event_of_no_known_shape_is_logged_without_its_values(
    event: Any, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as_integration_user(monkeypatch)
    with pytest.raises(IntegrationError):
        lambda_handler(event, LocalLambdaContext())
    (line,) = logs()
    assert (line["message"], line["front_door"], line["ErrorType"]) == (
        "request",
        "integration",
        "InvalidParameters",
    )
    assert "s3cr3t" not in json.dumps(line)


# --- the request id on each line ---


def _correlation_id(event: dict[str, Any], logs: Logs) -> Any:
    lambda_handler(event, LocalLambdaContext())  # no credentials: refused
    ids = {line.get("correlation_id") for line in logs()}
    assert len(ids) == 1, "every line of one invocation carries the same id"
    return ids.pop()


def test_an_alb_request_is_logged_with_its_trace_id_from_single_value_headers(logs: Logs) -> None:
    event = EVENT_BUILDERS["alb"]("GET", "/api/v1/voip/rooms", headers={"X-Amzn-Trace-Id": "Root=1-abc"})
    assert _correlation_id(event, logs) == "Root=1-abc"


def test_an_alb_request_is_logged_with_its_trace_id_from_multi_value_headers(logs: Logs) -> None:
    event = EVENT_BUILDERS["alb-multi"](
        "GET", "/api/v1/voip/rooms", headers={"X-Amzn-Trace-Id": "Root=1-def"}
    )
    assert _correlation_id(event, logs) == "Root=1-def"


def test_an_alb_request_without_a_trace_id_is_logged_without_one(logs: Logs) -> None:
    event = EVENT_BUILDERS["alb"]("GET", "/api/v1/voip/rooms")
    del event["headers"]["x-amzn-trace-id"]
    assert _correlation_id(event, logs) is None


@pytest.mark.parametrize("door", ["rest", "http", "url"])
def test_a_request_without_a_request_id_is_logged_without_one(door: str, logs: Logs) -> None:
    event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms")
    del event["requestContext"]["requestId"]
    assert _correlation_id(event, logs) is None


@pytest.mark.parametrize("door", ["http", "url"])
def test_a_payload_v2_request_is_logged_with_its_request_id(door: str, logs: Logs) -> None:
    event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms")
    assert _correlation_id(event, logs) == event["requestContext"]["requestId"]
