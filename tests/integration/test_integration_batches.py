"""Batches of integration events: EventBridge Pipes invokes an enrichment (or a target) with a JSON array,
even with a batch size of 1. A batch is answered with an array of answers, one per event in order; the
first failure fails the whole batch, which the pipe retries (it takes no partial failure from an
enrichment)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from typing import Any

import pymongo
import pytest

from tests.factories import ApiClient, TestUser, act_as_integration_user, room
from tests.timing import Clock
from voip_rooms import database, integration, listing, request_log
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import MAX_BATCH_EVENTS, IntegrationError
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore
from voip_rooms_local.demo import INTEGRATION_USER_ID
from voip_rooms_local.events import LocalLambdaContext

Logs = Callable[[], list[dict[str, Any]]]


def event(**parameters: Any) -> dict[str, Any]:
    return {"operation": "voip.rooms", "parameters": parameters}


def invoke(payload: Any) -> Any:
    """The answer as the caller receives it from Lambda."""
    return json.loads(lambda_handler(payload, LocalLambdaContext()))


def failure(payload: Any) -> IntegrationError:
    with pytest.raises(IntegrationError) as caught:
        lambda_handler(payload, LocalLambdaContext())
    return caught.value


def request_lines(logs: Logs) -> list[dict[str, Any]]:
    return [line for line in logs() if line["message"] == "request"]


@pytest.fixture
def integration_user(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    act_as_integration_user(monkeypatch, INTEGRATION_USER_ID)
    return demo_db


@pytest.mark.usefixtures("integration_user")
def test_a_batch_of_one_as_pipes_sends_it_is_answered_with_an_array_of_one_answer() -> None:
    answers = invoke([event(count=3)])
    assert isinstance(answers, list)
    assert answers == [invoke(event(count=3))]
    assert answers[0]["count"] == 3


@pytest.mark.usefixtures("integration_user")
def test_a_batch_is_answered_with_one_answer_per_event_in_order() -> None:
    events = [event(open=True, count=2), event(agents=["demo-agent-2"], count=1), {"operation": "voip.rooms"}]
    answers = invoke(events)
    assert answers == [invoke(one) for one in events]
    assert [answer["count"] for answer in answers] == [2, 1, 50]


@pytest.mark.usefixtures("integration_user")
def test_an_empty_batch_is_answered_with_an_empty_array() -> None:
    assert invoke([]) == []


@pytest.mark.usefixtures("integration_user")
@pytest.mark.parametrize(
    ("second", "error_type", "message"),
    [
        (
            event(count=-1),
            "InvalidParameters",
            'Event 2 of the batch of 3: The "count" parameter must be an integer',
        ),
        (event(agents=["demo-agent-1"], bogus=1), "InvalidParameters", 'Unknown parameter "bogus"'),
        ({"operation": "voip.room"}, "InvalidParameters", "Event 2 of the batch of 3: Unknown operation"),
        ([event()], "InvalidParameters", "Event 2 of the batch of 3: An integration event is a JSON object"),
        (
            {"httpMethod": "GET"},
            "InvalidParameters",
            'Event 2 of the batch of 3: Unknown member "httpMethod"',
        ),
    ],
)
def test_the_first_failing_event_fails_the_whole_batch_and_no_later_event_is_listed(
    second: Any, error_type: str, message: str, logs: Logs
) -> None:
    error = failure([event(count=1), second, event(count=2)])
    assert type(error).__name__ == error_type
    assert message in str(error)
    lines = request_lines(logs)
    assert [(line["batch_event"], line["batch_size"], line["status"]) for line in lines] == [
        (1, 3, 200),
        (2, 3, 400),
    ], "one line per event listed; the third never ran"
    assert [line.get("FunctionErrors") for line in lines] == [None, 1], "one function error: Lambda's one"


def test_a_batch_without_an_integration_user_fails_unauthorized_at_its_first_event(
    demo_db: Any, monkeypatch: pytest.MonkeyPatch, rooms_never_read: list[Any]
) -> None:
    act_as_integration_user(monkeypatch, "")
    error = failure([event(), event()])
    assert type(error).__name__ == "Unauthorized"
    assert str(error).startswith("Event 1 of the batch of 2: Integration events are not enabled")
    assert rooms_never_read == []


@pytest.mark.usefixtures("integration_user")
def test_a_batch_larger_than_the_limit_is_refused_whole_before_anything_is_read(
    rooms_never_read: list[Any], logs: Logs
) -> None:
    error = failure([event()] * (MAX_BATCH_EVENTS + 1))
    assert type(error).__name__ == "InvalidParameters"
    assert str(error) == (
        f"A batch holds at most {MAX_BATCH_EVENTS} integration events (for EventBridge Pipes, the pipe's "
        f"batch size); this one holds {MAX_BATCH_EVENTS + 1}. [invalid-params]"
    )
    assert rooms_never_read == []
    (line,) = request_lines(logs)
    assert (line["batch_size"], line["status"], line["ErrorType"]) == (
        MAX_BATCH_EVENTS + 1,
        400,
        "InvalidParameters",
    )
    assert "batch_event" not in line
    assert len(invoke([event(count=1)] * MAX_BATCH_EVENTS)) == MAX_BATCH_EVENTS


@pytest.fixture
def recorded_budgets(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The database budget (pymongo.timeout) each listing is given."""
    budgets: list[float] = []
    real_timeout = pymongo.timeout

    def timeout(seconds: float) -> AbstractContextManager[None]:
        budgets.append(seconds)
        return real_timeout(seconds)

    monkeypatch.setattr(pymongo, "timeout", timeout)  # as listing.py calls it: pymongo.timeout
    return budgets


# Each event's listing takes `step` seconds of the database's five; an event left none at all (budget
# 0, which pymongo.timeout would read as no limit) is unavailable too.
@pytest.mark.usefixtures("integration_user")
@pytest.mark.parametrize(("step", "budgets"), [(2, [5.0, 3.0, 1.0]), (2.5, [5.0, 2.5])])
def test_a_batchs_events_share_one_database_budget_so_a_batch_ends_within_it(
    monkeypatch: pytest.MonkeyPatch,
    recorded_budgets: list[float],
    logs: Logs,
    step: float,
    budgets: list[float],
) -> None:
    five_seconds = replace(SETTINGS, mongodb_timeout_ms=5_000, integration_user_id=INTEGRATION_USER_ID)
    monkeypatch.setattr(integration, "SETTINGS", five_seconds)
    monkeypatch.setattr(listing, "SETTINGS", five_seconds)
    clock = Clock()
    monkeypatch.setattr(database, "clock", clock)
    find_user_by_id = RocketChatStore.find_user_by_id

    def slow_user_lookup(self: RocketChatStore, user_id: str) -> Any:
        clock.now += step
        return find_user_by_id(self, user_id)

    monkeypatch.setattr(RocketChatStore, "find_user_by_id", slow_user_lookup)
    failing = len(budgets) + 1
    error = failure([event(count=1)] * 4)
    assert (type(error).__name__, str(error)) == (
        "ServiceUnavailable",
        f"Event {failing} of the batch of 4: Service temporarily unavailable",
    )
    assert recorded_budgets == budgets, "what the earlier events left, never a budget of its own"
    assert [(line["status"], line.get("cause")) for line in request_lines(logs)] == [
        *[(200, None)] * len(budgets),
        (503, listing.BUDGET_SPENT),
    ]


def test_a_single_event_has_the_whole_budget(
    integration_user: Any, monkeypatch: pytest.MonkeyPatch, recorded_budgets: list[float]
) -> None:
    monkeypatch.setattr(database, "clock", Clock())
    invoke(event(count=1))
    invoke([event(count=1)])
    assert recorded_budgets == [SETTINGS.mongodb_timeout_ms / 1000] * 2


def test_a_batchs_answers_share_the_size_of_one_answer(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    api.add_user(TestUser("integration-1", ("livechat-manager",)))
    api.add_rooms(*(room(notes="x" * 1_000) for _ in range(20)))
    limited = replace(SETTINGS, integration_user_id="integration-1", max_response_bytes=10_000)
    monkeypatch.setattr(integration, "SETTINGS", limited)
    raw = lambda_handler([event(count=20), event(count=20, sort={"_id": 1})], LocalLambdaContext())
    assert len(raw) <= 10_000
    first, second = json.loads(raw)
    assert 0 < first["count"] < 20
    assert 0 < second["count"] < 20
    assert first["next"]
    assert second["next"]
    alone = invoke(event(count=20))
    assert first["count"] < alone["count"], "an event alone has the whole answer's size"


@pytest.mark.usefixtures("integration_user")
def test_a_batchs_lines_carry_the_invocations_start_as_their_metrics_timestamp(
    monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    times = iter([1_700_000_059.5, 1_700_000_061.0, 1_700_000_062.0])
    monkeypatch.setattr(request_log, "clock", lambda: next(times))
    invoke([event(count=1), event(count=1)])
    invoke(event(count=1))
    assert [line["_aws"]["Timestamp"] for line in request_lines(logs)] == [
        1_700_000_059_500,
        1_700_000_059_500,
        1_700_000_061_000,
    ]


@pytest.mark.parametrize(("events", "share"), [(1, 299), (2, 149)])
def test_a_first_room_over_its_events_share_fails_naming_the_share_and_the_next_cursor(
    api: ApiClient, monkeypatch: pytest.MonkeyPatch, events: int, share: int
) -> None:
    # Each of a batch's events may take (limit - 1 - events) // events bytes: the array's brackets and
    # commas aside. With a limit of 301, one event may take 299 bytes and each of two 149.
    api.add_user(TestUser("integration-1", ("livechat-manager",)))
    api.add_rooms(*(room(notes="x" * 1_000) for _ in range(3)))
    monkeypatch.setattr(integration, "SETTINGS", replace(SETTINGS, integration_user_id="integration-1"))
    after_the_first = invoke(event(count=1))["next"]
    limited = replace(SETTINGS, integration_user_id="integration-1", max_response_bytes=301)
    monkeypatch.setattr(integration, "SETTINGS", limited)
    error = failure([event(count=3)] * events)
    assert f"larger than one answer may be ({share} bytes)" in str(error)
    assert str(error).endswith(f'(next: "{after_the_first}")'), "the cursor that steps over the room"
    assert str(error).startswith(f"Event 1 of the batch of {events}: The first room of this page")


@pytest.mark.usefixtures("integration_user")
def test_each_event_of_a_batch_has_its_own_request_line_naming_its_operation(logs: Logs) -> None:
    invoke([event(count=1), event(count=2)])
    lines = request_lines(logs)
    assert [(line["operation"], line["batch_event"]) for line in lines] == [
        ("voip.rooms", 1),
        ("voip.rooms", 2),
    ]
