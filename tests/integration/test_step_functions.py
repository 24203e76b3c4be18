"""The README's Step Functions state machine, run against the function with integration events: a
cursor walk that carries no credential, rides out a database outage with its Retry and ends on any
other failure through its Catch (tests/step_functions.py reads the states it uses)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from tests.factories import DEMO_ADMIN, ApiClient, act_as_integration_user, database_fails_on
from tests.step_functions import Execution, TaskFailed, run
from voip_rooms.handler import lambda_handler
from voip_rooms_local.demo import ROOM_COUNT
from voip_rooms_local.events import LocalLambdaContext

README = Path(__file__).resolve().parents[2] / "README.md"
# Where the README shows the state machine and the input that starts it.
SECTION = re.compile(r"From Step Functions, with an \[integration event\].*?\n## ", re.DOTALL)
JSON_BLOCK = re.compile(r"```json\n(.*?)```", re.DOTALL)
STEP_FUNCTIONS_STATE_LIMIT = 256 * 1024
CREDENTIAL_WORDS = ("token", "x-auth-token", "x-user-id", "userid", "password", "secret")


def _readme_section() -> str:
    found = SECTION.search(README.read_text(encoding="utf-8"))
    assert found, "the README's Step Functions example"
    return found[0]


def _readme_blocks() -> tuple[dict[str, Any], dict[str, Any]]:
    definition, start_input = (json.loads(block) for block in JSON_BLOCK.findall(_readme_section()))
    return definition, start_input


class Function:
    """lambda:invoke of the function, as Step Functions sees it: the result, or the function error's
    errorType as the error's name and Lambda's error object as its cause."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.payloads: list[Any] = []
        self.pages: list[dict[str, Any]] = []
        self.outages: set[int] = set()  # the invocations (from 1) that meet a database outage

    def __call__(self, payload: Any) -> Any:
        self.payloads.append(payload)
        with self.monkeypatch.context() as patch:
            if len(self.payloads) in self.outages:
                database_fails_on(patch, "rocketchat_room", ServerSelectionTimeoutError("timed out"))
            try:
                page = json.loads(lambda_handler(payload, LocalLambdaContext()))
            except Exception as error:
                error_type = type(error).__name__
                cause = {"errorMessage": str(error), "errorType": error_type, "stackTrace": []}
                raise TaskFailed(error_type, json.dumps(cause)) from error
        self.pages.append(page)
        return page

    def room_ids(self) -> list[str]:
        return [room["_id"] for page in self.pages for room in page["rooms"]]


@pytest.fixture
def function(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> Function:
    """The function on the demo data, acting as its integration user."""
    act_as_integration_user(monkeypatch)
    return Function(monkeypatch)


def test_the_readme_state_machine_carries_no_credential_and_retries_only_an_outage() -> None:
    section = _readme_section().lower()
    assert not [word for word in CREDENTIAL_WORDS if word in section]
    definition, start_input = _readme_blocks()
    page = definition["States"][definition["StartAt"]]
    assert page["Parameters"]["Payload"]["operation"] == "voip.rooms"
    assert set(page["Parameters"]["Payload"]) == {"operation", "parameters.$"}
    outage, *lambda_service = page["Retry"]
    assert outage["ErrorEquals"] == ["ServiceUnavailable"]
    assert not {"InvalidParameters", "Unauthorized", "Forbidden", "InternalError", "States.ALL"} & {
        name for retrier in page["Retry"] for name in retrier["ErrorEquals"]
    }, "a retry cannot mend a bad request or a refusal"
    lambda_errors = {name for r in lambda_service for name in r["ErrorEquals"]}
    assert all(name.startswith("Lambda.") for name in lambda_errors)
    assert lambda_errors >= {
        "Lambda.ClientExecutionTimeoutException",
        "Lambda.ServiceException",
        "Lambda.TooManyRequestsException",
    }, "Lambda's transient errors, as AWS recommends retrying them"
    assert all(retrier["MaxDelaySeconds"] for retrier in page["Retry"]), "backoff with a ceiling"
    for state in (page, definition["States"]["Continue"]):
        (catch,) = state["Catch"]
        assert catch["ErrorEquals"] == ["States.ALL"]
        assert definition["States"][catch["Next"]]["Type"] == "Fail"
    assert (start_input["cursor"], start_input["pages"]) == ({}, 0)


def test_the_readme_state_machine_lists_the_readme_inputs_rooms(function: Function, demo_db: Any) -> None:
    definition, start_input = _readme_blocks()
    execution = run(definition, start_input, function)
    assert execution.status == "SUCCEEDED", execution.cause
    expected = ApiClient(demo_db).get(body=start_input["parameters"], user=DEMO_ADMIN).body
    assert expected["total"] > 0
    assert function.room_ids() == [room["_id"] for room in expected["rooms"]]
    for page in function.pages:
        assert len(json.dumps(page)) < STEP_FUNCTIONS_STATE_LIMIT


def _walk(function: Function, page_size: int = 25) -> Execution:
    definition, _ = _readme_blocks()
    start = {"parameters": {"count": page_size, "fields": {"fname": 1}}, "cursor": {}, "pages": 0}
    return run(definition, start, function)


def _pages_per_execution(definition: dict[str, Any]) -> int:
    (threshold,) = [
        choice["NumericGreaterThanEquals"]
        for choice in definition["States"]["More?"]["Choices"]
        if "NumericGreaterThanEquals" in choice
    ]
    return int(threshold)


def _every_voip_room(demo_db: Any) -> list[str]:
    return sorted(str(room["_id"]) for room in demo_db.rocketchat_room.find({"t": "v"}, {"_id": 1}))


def _assert_every_room_walked_once(function: Function, demo_db: Any) -> None:
    walked = function.room_ids()
    assert len(walked) == len(set(walked)) == ROOM_COUNT
    assert sorted(walked) == _every_voip_room(demo_db)


def test_a_walk_gathers_every_room_exactly_once(function: Function, demo_db: Any) -> None:
    execution = _walk(function)
    assert execution.status == "SUCCEEDED"
    _assert_every_room_walked_once(function, demo_db)
    assert execution.states.count("Page") == -(-ROOM_COUNT // 25)
    assert [payload["parameters"].get("after") for payload in function.payloads] == [
        None,
        *(page["next"] for page in function.pages[:-1]),
    ]


def test_a_database_outage_during_a_walk_is_ridden_out_by_the_retry(function: Function, demo_db: Any) -> None:
    function.outages = {3, 4}  # the third page's first two attempts
    execution = _walk(function)
    assert execution.status == "SUCCEEDED"
    assert execution.retry_intervals == [2, 4]
    _assert_every_room_walked_once(function, demo_db)


def test_an_outage_longer_than_the_retries_ends_in_the_fail_state_as_service_unavailable(
    function: Function,
) -> None:
    function.outages = set(range(3, 10))
    execution = _walk(function)
    assert (execution.status, execution.error, execution.states[-1]) == (
        "FAILED",
        "ServiceUnavailable",
        "Failed",
    )
    assert len(execution.retry_intervals) == 5
    assert json.loads(execution.cause or "{}")["errorMessage"] == "Service temporarily unavailable"


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda start: start["parameters"].update(count=-1), "InvalidParameters"),
        (
            lambda start: start["parameters"].update(agents=["demo-agent-1"], Open="maybe"),
            "InvalidParameters",
        ),
    ],
)
def test_a_bad_request_is_caught_at_once_with_the_functions_error_and_message(
    function: Function, change: Callable[[dict[str, Any]], None], error: str
) -> None:
    definition, start_input = _readme_blocks()
    change(start_input)
    execution = run(definition, start_input, function)
    assert (execution.status, execution.error) == ("FAILED", error)
    assert execution.retry_intervals == [], "never retried"
    assert len(function.payloads) == 1
    assert json.loads(execution.cause or "{}")["errorMessage"].endswith("[invalid-params]")


def test_an_integration_user_refused_is_caught_as_unauthorized(
    function: Function, monkeypatch: pytest.MonkeyPatch
) -> None:
    act_as_integration_user(monkeypatch, "")
    definition, start_input = _readme_blocks()
    execution = run(definition, start_input, function)
    assert (execution.status, execution.error) == ("FAILED", "Unauthorized")
    assert "INTEGRATION_USER_ID" in json.loads(execution.cause or "{}")["errorMessage"]


# --- the walk's limits: the execution history's 25,000 events, and 256 KiB in a state --------------

HISTORY_LIMIT = 25_000


def test_a_walk_longer_than_one_execution_goes_on_in_new_executions_from_the_cursor(
    function: Function, demo_db: Any
) -> None:
    definition, _ = _readme_blocks()
    for choice in definition["States"]["More?"]["Choices"]:
        if "NumericGreaterThanEquals" in choice:
            choice["NumericGreaterThanEquals"] = 3  # 13 pages of 25: five executions
    start: Any = {"parameters": {"count": 25, "fields": {"fname": 1}}, "cursor": {}, "pages": 0}
    executions: list[Execution] = []
    while start is not None:
        execution = run(definition, start, function, execution_id=f"walk:{len(executions) + 1}")
        assert execution.status == "SUCCEEDED", execution.cause
        executions.append(execution)
        (start,) = execution.started or [None]
        if start is not None:
            assert set(start) == {
                "parameters",
                "cursor",
                "pages",
                "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID",
            }
            assert (start["pages"], start["AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID"]) == (
                0,
                f"walk:{len(executions)}",
            )
    assert [execution.states.count("Page") for execution in executions] == [3, 3, 3, 3, 1]
    _assert_every_room_walked_once(function, demo_db)


def test_one_execution_of_the_readme_walk_stays_under_the_history_limit_even_with_every_retry(
    function: Function,
) -> None:
    definition, _ = _readme_blocks()
    execution = _walk(function)
    pages = execution.states.count("Page")
    per_page = (execution.history_events - 4) / pages  # less the execution's start and end, and Done
    assert per_page == 11, "what the README says a page costs"
    retries = sum(retrier["MaxAttempts"] for retrier in definition["States"]["Page"]["Retry"])
    worst_page = per_page + 3 * retries
    assert _pages_per_execution(definition) * worst_page + 4 + 5 < HISTORY_LIMIT, "Continue's own task too"
    assert HISTORY_LIMIT // per_page == 2_272, "the README's 'about 2,270 pages' for one execution"


def test_a_pages_rooms_are_never_carried_into_the_next_page(function: Function) -> None:
    execution = _walk(function)
    assert execution.status == "SUCCEEDED"
    for name, state_input in execution.inputs:
        if name in ("Page", "More?", "Continue", "Done"):
            assert "page" not in state_input, name
            assert "rooms" not in json.dumps(state_input), name
