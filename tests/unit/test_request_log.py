"""The request line's own arithmetic: latency, database time and timestamp, read from a fixed clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from voip_rooms import handler, request_log
from voip_rooms.store import command_stats

Logs = Callable[[], list[dict[str, Any]]]
NOW = 1_764_338_587.1239  # 2025-11-28 14:03:07.123 UTC
REST_EVENT = {"httpMethod": "GET", "path": "/api/v1/voip/rooms"}


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The line's clock: the request starts at 10 s and ends 12.3456 ms later, at NOW."""
    readings = iter([10.0, 10.0123456])
    clock = SimpleNamespace(
        perf_counter=lambda: next(readings),
        time=lambda: NOW,
        localtime=time.localtime,
        strftime=time.strftime,
    )
    monkeypatch.setattr(request_log, "time", clock)


def _line(logs: Logs) -> dict[str, Any]:
    [line] = [line for line in logs() if line["message"] == "request"]
    return line


@pytest.mark.usefixtures("fixed_clock")
def test_latency_and_database_time_are_milliseconds_to_three_decimals(logs: Logs) -> None:
    request_log.begin("rest", REST_EVENT)
    command_stats.commands, command_stats.seconds = 2, 0.0045678
    request_log.emit(handler.logger, 200)
    line = _line(logs)
    assert (line["Latency"], line["DatabaseTime"], line["database_commands"]) == (12.346, 4.568, 2)
    assert (line["location"], line["_aws"]["Timestamp"]) == ("request_log", 1_764_338_587_123)


def test_the_metrics_are_timestamped_when_the_invocation_began_as_lambdas_own_metrics_are(
    logs: Logs, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Lambda timestamps Errors when the function was invoked: FunctionErrors must fall in the same
    # period, whenever the line is written.
    monkeypatch.setattr(request_log, "clock", lambda: 1_700_000_039.9)
    request_log.begin("rest", REST_EVENT)
    request_log.emit(handler.logger, 200)
    assert _line(logs)["_aws"]["Timestamp"] == 1_700_000_039_900


@pytest.mark.usefixtures("fixed_clock", "machine_in_another_time_zone")
def test_the_timestamp_is_the_loggers_own_form_in_the_machines_time_zone(logs: Logs) -> None:
    request_log.begin("rest", REST_EVENT)
    request_log.emit(handler.logger, 200)
    assert _line(logs)["timestamp"] == "2025-11-28 11:03:07,123-0300"


@pytest.mark.usefixtures("machine_with_summer_time")
@pytest.mark.parametrize(
    ("now", "timestamp"),
    [
        (1_751_385_600.5, "2025-07-01 12:00:00,500-0400"),  # 16:00 UTC, summer time
        (1_767_283_200.5, "2026-01-01 11:00:00,500-0500"),  # 16:00 UTC, winter time
    ],
)
def test_the_timestamp_carries_the_offset_in_force_at_its_own_moment(
    logs: Logs, monkeypatch: pytest.MonkeyPatch, now: float, timestamp: str
) -> None:
    # Not today's offset: a line read back after the clocks changed still tells its UTC time.
    clock = SimpleNamespace(
        perf_counter=time.perf_counter, time=lambda: now, localtime=time.localtime, strftime=time.strftime
    )
    monkeypatch.setattr(request_log, "time", clock)
    request_log.begin("rest", REST_EVENT)
    request_log.emit(handler.logger, 200)
    assert _line(logs)["timestamp"] == timestamp


def test_a_key_appended_to_the_logger_that_json_cannot_hold_is_written_as_its_text(logs: Logs) -> None:
    # As the logger's own lines write it (Powertools' json_default is str): the line is never lost.
    handler.logger.append_keys(ticket=Decimal("1.50"))
    try:
        request_log.begin("rest", REST_EVENT)
        request_log.emit(handler.logger, 200)
        handler.logger.info("own line")
    finally:
        handler.logger.remove_keys(["ticket"])
    own = next(line for line in logs() if line["message"] == "own line")
    assert _line(logs)["ticket"] == own["ticket"] == "1.50"


def test_a_path_that_is_not_text_is_left_out(logs: Logs) -> None:
    request_log.begin("rest", {"httpMethod": "GET", "path": ["/api/v1/voip/rooms"]})
    request_log.emit(handler.logger, 400)
    assert (_line(logs)["method"], _line(logs)["path"]) == ("GET", None)
