"""The rollback alarm's metric counts, from the function's request lines (EMF records), exactly the
5xx answers it gives: the metric a new version is rolled back on, whichever front door was used."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from tests.factories import act_as_integration_user
from voip_rooms import listing
from voip_rooms.errors import ConnectionSecretUnavailable, DatabaseUnavailable
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import IntegrationError
from voip_rooms_local.demo import DEMO_USERS
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"X-User-Id": DEMO_USERS[0].user_id, "X-Auth-Token": DEMO_USERS[0].token}
USER = {"X-User-Id": "demo-user", "X-Auth-Token": "demo-user-token"}


def _counted_by_the_rollback_alarm() -> Callable[[dict[str, Any]], bool]:
    """Whether one parsed log line adds to the alarm's 5xx metric: an EMF record of that metric, carrying
    the alarm's dimension values."""
    return _counted_by("RollbackServerErrorsAlarm", "errors")


def _alarm_metrics(alarm: str) -> list[dict[str, Any]]:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    metrics: list[dict[str, Any]] = template["Resources"][alarm]["Properties"]["Metrics"]
    return metrics


def _counted_by(alarm: str, metric_id: str) -> Callable[[dict[str, Any]], bool]:
    """Whether one parsed log line adds to one metric of an alarm of the template."""
    (wanted_metric,) = [m for m in _alarm_metrics(alarm) if m["Id"] == metric_id]
    metric = wanted_metric["MetricStat"]["Metric"]
    wanted = {d["Name"]: d["Value"] for d in metric["Dimensions"]}

    def counted(line: dict[str, Any]) -> bool:
        directives = line.get("_aws", {}).get("CloudWatchMetrics", [])
        emitted = {m["Name"] for d in directives for m in d["Metrics"]}
        declared = {tuple(sorted(dims)) for d in directives for dims in d["Dimensions"]}
        return (
            metric["MetricName"] in emitted
            and tuple(sorted(wanted)) in declared
            and all(line.get(name) == value for name, value in wanted.items())
        )

    return counted


@pytest.mark.usefixtures("demo_db")
@pytest.mark.parametrize("door", sorted(EVENT_BUILDERS))
def test_every_5xx_answer_and_nothing_else_is_counted(
    door: str, logs: Callable[[], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def call(path: str, headers: dict[str, str], query: str = "", method: str = "GET") -> int:
        event = EVENT_BUILDERS[door](method, path, headers=headers, query_string=query)
        return int(lambda_handler(event, LocalLambdaContext())["statusCode"])

    statuses = [
        call("/api/v1/voip/rooms", ADMIN),
        call("/api/v1/voip/rooms", ADMIN, "count=abc"),
        call("/api/v1/voip/rooms", {}),
        call("/api/v1/voip/rooms", USER),
        call("/api/v1/voip/nothing", ADMIN),
        call("/api/v1/voip/rooms", ADMIN, method="POST"),
    ]
    for fault in (
        DatabaseUnavailable("ServerSelectionTimeoutError"),
        ConnectionSecretUnavailable("AccessDeniedException"),
        RuntimeError("bug"),
    ):

        def failing(*_: Any, error: Exception = fault) -> Any:
            raise error

        monkeypatch.setattr(listing, "_listing", failing)
        statuses.append(call("/api/v1/voip/rooms", ADMIN))
    assert statuses == [200, 400, 401, 403, 404, 405, 503, 503, 500]
    counted = _counted_by_the_rollback_alarm()
    assert len([line for line in logs() if counted(line)]) == 3


@pytest.mark.usefixtures("demo_db")
def test_only_integration_events_expected_function_errors_are_subtracted_from_the_crash_alarm(
    logs: Callable[[], list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    def invoke(parameters: dict[str, Any]) -> str:
        try:
            lambda_handler({"operation": "voip.rooms", "parameters": parameters}, LocalLambdaContext())
        except IntegrationError as error:
            return type(error).__name__
        return "ok"

    act_as_integration_user(monkeypatch, "")
    outcomes = [invoke({})]
    act_as_integration_user(monkeypatch)
    outcomes += [invoke({}), invoke({"count": -1}), invoke({"agents": ["demo-agent-1"]})]
    act_as_integration_user(monkeypatch, "demo-agent-1")
    outcomes.append(invoke({}))
    for fault in (DatabaseUnavailable("ServerSelectionTimeoutError"), RuntimeError("bug")):

        def failing(*_: Any, error: Exception = fault) -> Any:
            raise error

        monkeypatch.setattr(listing, "_listing", failing)
        outcomes.append(invoke({}))
    assert outcomes == [
        "Unauthorized",
        "ok",
        "InvalidParameters",
        "ok",
        "Forbidden",
        "ServiceUnavailable",
        "InternalError",
    ]
    subtracted = [
        _counted_by("FunctionErrorsAlarm", query["Id"])
        for query in _alarm_metrics("FunctionErrorsAlarm")
        if query.get("MetricStat", {}).get("Metric", {}).get("MetricName") == "FunctionErrors"
    ]
    lines = [line for line in logs() if line.get("message") == "request"]
    subtracted_lines = [line for line in lines if any(counted(line) for counted in subtracted)]
    assert [line["ErrorType"] for line in subtracted_lines] == [
        "Unauthorized",
        "InvalidParameters",
        "Forbidden",
        "ServiceUnavailable",
    ], "each expected function error once; never the InternalError, which Lambda's Errors counts as a crash"
    function_errors = [line for line in lines if "ErrorType" in line]
    assert len(function_errors) - len(subtracted_lines) == 1, "Lambda's Errors less these: the one bug"
    server_errors = _counted_by_the_rollback_alarm()
    assert len([line for line in logs() if server_errors(line)]) == 2
