"""One request line per invocation, whatever the answer, and that line is a valid CloudWatch EMF record."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from pymongo.errors import OperationFailure, ServerSelectionTimeoutError

from tests.factories import ADMIN, AGENT, PLAIN_USER, ApiClient, database_fails_on, room
from voip_rooms import handler, request_log
from voip_rooms.settings import SETTINGS
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext, rest_event

Logs = Callable[[], list[dict[str, Any]]]
METRICS = {"Requests", "Latency", "DatabaseTime", "RoomsReturned", "ColdStart"}


def request_lines(logs: Logs) -> list[dict[str, Any]]:
    return [line for line in logs() if line["level"] == "INFO" and line["message"] == "request"]


def assert_emf_record(line: dict[str, Any], namespace: str = "VoipRooms") -> set[str]:
    """Check the line against CloudWatch's embedded metric format; the metric names it declares."""
    directive = line["_aws"]
    assert isinstance(directive["Timestamp"], int)
    assert abs(directive["Timestamp"] - time.time() * 1000) < 60_000
    (metrics,) = directive["CloudWatchMetrics"]
    assert metrics["Namespace"] == namespace
    assert metrics["Dimensions"] == [["service"], ["service", "StatusClass"]]
    for dimension in {name for names in metrics["Dimensions"] for name in names}:
        assert isinstance(line[dimension], str), dimension
    names = {metric["Name"] for metric in metrics["Metrics"]}
    assert names <= METRICS
    for metric in metrics["Metrics"]:
        assert metric["Unit"] == (
            "Milliseconds" if metric["Name"] in {"Latency", "DatabaseTime"} else "Count"
        )
        value = line[metric["Name"]]
        assert type(value) in (int, float), metric
    assert {"Requests", "Latency"} <= names
    assert line["Requests"] == 1
    assert line["StatusClass"] == f"{line['status'] // 100}xx"
    return names


@pytest.fixture
def warm(api: ApiClient) -> ApiClient:
    """A client whose container has answered once: the invocation under test is not its first."""
    api.get(user=None)
    return api


def _ill_typed_direct_event(api: ApiClient) -> int:
    event = rest_event("GET", "/api/v1/voip/rooms", headers=ADMIN.credentials)
    event["multiValueQueryStringParameters"] = {"count": "5"}
    return int(handler.lambda_handler(event, LocalLambdaContext())["statusCode"])


def _query_error(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> int:
    database_fails_on(monkeypatch, "rocketchat_room", OperationFailure("unknown operator", 2))
    return api.get().status


def _database_down(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> int:
    database_fails_on(monkeypatch, "rocketchat_room", ServerSelectionTimeoutError("db.internal: timed out"))
    return api.get().status


CASES: dict[str, tuple[Callable[[ApiClient, pytest.MonkeyPatch], int], int, dict[str, Any]]] = {
    "200": (lambda api, _: api.get("open=true").status, 200, {}),
    "400": (lambda api, _: api.get("count=abc").status, 400, {"reason": "invalid-params"}),
    "401": (lambda api, _: api.get(user=None).status, 401, {"reason": "authentication"}),
    "403": (
        lambda api, _: api.get(user=api.add_user(PLAIN_USER)).status,
        403,
        {"reason": "permission", "user_id": PLAIN_USER.user_id},
    ),
    "404": (lambda api, _: api.get(path="/api/v1/other").status, 404, {"reason": "not-found"}),
    "405": (lambda api, _: api.get(method="POST").status, 405, {"reason": "method-not-allowed"}),
    "413": (
        lambda api, _: api.get(body={"queue": "x" * 20_000}).status,
        413,
        {"reason": "body-too-large"},
    ),
    "500": (_query_error, 500, {"cause": "OperationFailure"}),
    "503": (_database_down, 503, {"cause": "ServerSelectionTimeoutError"}),
    "ill-typed direct event": (
        lambda api, _: _ill_typed_direct_event(api),
        400,
        {"reason": "invalid-params", "front_door": "rest"},
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_every_answer_writes_exactly_one_request_line_that_is_an_emf_record(
    case: str, warm: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    request, status, expected = CASES[case]
    logs_before = len(request_lines(logs))
    assert request(warm, monkeypatch) == status
    lines = request_lines(logs)[logs_before:]
    assert len(lines) == 1
    (line,) = lines
    assert line["status"] == status
    assert {key: line.get(key) for key in expected} == expected
    names = assert_emf_record(line)
    assert "ColdStart" not in names
    assert "ColdStart" not in line
    assert line["service"] == "voip-rooms"
    assert line["cold_start"] is False


def test_a_listing_line_names_its_filters_without_their_values(api: ApiClient, logs: Logs) -> None:
    api.add_rooms(*(room(queue="private-queue-name", open=True) for _ in range(7)))
    answer = api.get(
        {"queue": "private-queue-name", "roomName": "Visitor", "visitorId": "visitor-secret-id", "count": 5}
    )
    assert answer.status == 200
    (line,) = request_lines(logs)
    assert line["front_door"] == "rest"
    assert (line["method"], line["path"]) == ("GET", "/api/v1/voip/rooms")
    assert line["user_id"] == ADMIN.user_id
    assert sorted(line["filters"]) == ["queue", "roomName", "visitorId"]
    assert (line["count"], line["offset"], line["total"], line["RoomsReturned"]) == (5, 0, 0, 0)
    written = json.dumps(line)
    assert "private-queue-name" not in written
    assert "visitor-secret-id" not in written
    assert "Visitor" not in written


def test_a_listing_line_counts_the_database_commands_and_their_time(api: ApiClient, logs: Logs) -> None:
    api.add_rooms(*(room(open=True) for _ in range(7)))
    assert api.get({"count": 5}).body["total"] == 7
    (line,) = request_lines(logs)
    # authentication, the permission map (a fresh cache), the page, and the count it could not tell
    assert line["database_commands"] == 4
    assert 0 < line["DatabaseTime"] <= line["Latency"]
    assert (line["count"], line["offset"], line["total"], line["RoomsReturned"]) == (5, 0, 7, 5)
    assert {"DatabaseTime", "RoomsReturned"} <= assert_emf_record(line)


def test_a_request_without_database_commands_declares_no_database_time(api: ApiClient, logs: Logs) -> None:
    api.get(user=None)
    (line,) = request_lines(logs)
    assert "database_commands" not in line
    assert "DatabaseTime" not in line
    assert "DatabaseTime" not in assert_emf_record(line)


def test_a_refused_caller_is_logged_by_a_fingerprint_of_the_id_they_claim_never_by_their_token(
    api: ApiClient, logs: Logs
) -> None:
    api.get(user=None, headers={"X-User-Id": AGENT.user_id, "X-Auth-Token": "a-wrong-token-value"})
    (line,) = request_lines(logs)
    fingerprint = hashlib.sha256(f"voip-rooms:{AGENT.user_id}".encode()).hexdigest()[:16]
    assert (line["status"], line["user_fingerprint"]) == (401, fingerprint)
    assert "user_id" not in line
    assert AGENT.user_id not in json.dumps(logs())
    assert "a-wrong-token-value" not in json.dumps(logs())


def test_a_client_that_swaps_the_two_headers_never_writes_its_token_to_the_logs(
    api: ApiClient, logs: Logs
) -> None:
    token = ADMIN.credentials["X-Auth-Token"]
    answer = api.get(user=None, headers={"X-User-Id": token, "X-Auth-Token": ADMIN.user_id})
    assert answer.status == 401
    (line,) = request_lines(logs)
    assert line["user_fingerprint"] == hashlib.sha256(f"voip-rooms:{token}".encode()).hexdigest()[:16]
    assert token not in json.dumps(logs())
    stored_hash = hashlib.sha256(token.encode()).hexdigest()
    assert line["user_fingerprint"] not in stored_hash, "no part of the hash Rocket.Chat keeps of the token"


def test_a_caller_who_authenticated_is_logged_by_their_user_id(api: ApiClient, logs: Logs) -> None:
    api.get()
    (line,) = request_lines(logs)
    assert line["user_id"] == ADMIN.user_id
    assert "user_fingerprint" not in line


def test_only_the_first_invocation_of_a_container_counts_a_cold_start(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_log, "_cold", True)
    api.get()
    api.get()
    first, second = request_lines(logs)
    assert first["ColdStart"] == 1
    assert "ColdStart" in assert_emf_record(first)
    assert "ColdStart" not in second
    assert "ColdStart" not in assert_emf_record(second)


def test_the_metrics_namespace_is_a_setting(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(request_log, "SETTINGS", replace(SETTINGS, metrics_namespace="CallCenter/Staging"))
    api.get()
    (line,) = request_lines(logs)
    assert_emf_record(line, namespace="CallCenter/Staging")


@pytest.fixture
def warning_level() -> Iterator[None]:
    previous = handler.logger.log_level
    handler.logger.setLevel("WARNING")
    yield
    handler.logger.setLevel(previous)


@pytest.mark.usefixtures("warning_level")
def test_above_info_the_request_lines_are_still_written_since_the_alarms_read_their_metrics(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.get().status == 200
    database_fails_on(monkeypatch, "rocketchat_room", ServerSelectionTimeoutError("db.internal: timed out"))
    assert api.get().status == 503
    assert [line["message"] for line in logs()] == ["request", "database unavailable", "request"]
    assert [assert_emf_record(line) >= {"Requests"} for line in request_lines(logs)] == [True, True]


def test_errors_keep_their_own_error_line_beside_the_request_line(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    database_fails_on(monkeypatch, "rocketchat_room", OperationFailure("unknown operator", 2))
    assert api.get().status == 500
    error, line = logs()
    assert (error["level"], error["message"]) == ("ERROR", "unexpected error")
    assert "OperationFailure" in error["exception"]
    assert (line["message"], line["status"], line["cause"]) == ("request", 500, "OperationFailure")
    assert "exception" not in line
    assert error["correlation_id"] == line["correlation_id"]
    assert error["function_request_id"] == line["function_request_id"]


def test_every_front_door_writes_the_line_with_its_method_and_path(demo_db: Any, logs: Logs) -> None:
    for door in ("rest", "http", "url", "alb", "alb-multi"):
        event = EVENT_BUILDERS[door]("GET", "/api/v1/voip/rooms", query_string="open=true")
        assert handler.lambda_handler(event, LocalLambdaContext())["statusCode"] == 401
    lines = request_lines(logs)
    assert [line["front_door"] for line in lines] == ["rest", "http", "url", "alb", "alb"]
    assert {(line["method"], line["path"]) for line in lines} == {("GET", "/api/v1/voip/rooms")}
    assert all(line["correlation_id"] for line in lines)


def test_the_line_carries_the_lambda_request_id_and_the_trace_id_like_every_log_line(
    api: ApiClient, logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    trace = "Root=1-6749a1f0-0123456789abcdef01234567;Parent=53995c3f;Sampled=1"
    monkeypatch.setenv("_X_AMZN_TRACE_ID", trace)
    context = LocalLambdaContext()
    event = rest_event("GET", "/api/v1/voip/rooms", headers={"X-User-Id": "someone"})
    handler.lambda_handler(event, context)
    (line,) = request_lines(logs)
    assert line["function_request_id"] == context.aws_request_id
    assert line["correlation_id"] == event["requestContext"]["requestId"]
    assert line["xray_trace_id"] == "1-6749a1f0-0123456789abcdef01234567"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}[+-]\d{4}", line["timestamp"])
