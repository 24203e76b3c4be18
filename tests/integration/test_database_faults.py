"""Database faults through the real driver: a closed port and a server that accepts but stalls.

The request's deadline (MONGODB_TIMEOUT_MS, here 300 ms) bounds server selection, connecting and
every command; past it the answer is the contract's 503, never a hang or a 500. A request meant to
succeed gets a budget no busy machine runs out of, and elapsed times are checked against what a
missing bound would cost (the driver's 30 s), never against how fast this machine is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pymongo
import pytest

from tests.conftest import CONNECTION_PASSWORDS
from tests.factories import ADMIN, ApiClient, act_as_integration_user
from tests.fake_mongod import fake_mongod
from tests.spies import record_arguments
from tests.timing import GENEROUS_MS
from voip_rooms import database, listing
from voip_rooms.handler import lambda_handler
from voip_rooms.integration import IntegrationError
from voip_rooms.settings import SETTINGS, Settings
from voip_rooms_local.events import LocalLambdaContext

BUDGET_MS = 300
# Without the request's deadline, the driver would wait its default server selection timeout.
DRIVER_DEFAULT_MS = 30_000
UNAVAILABLE = {"success": False, "error": "Service temporarily unavailable"}
DEMO_ADMIN = {"X-User-Id": "demo-admin", "X-Auth-Token": "demo-admin-token"}
UseDriverAt = Callable[..., Settings]


@pytest.fixture
def real_driver_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[UseDriverAt]:
    """Point the handler at a local port through pymongo itself; closes the client afterwards."""
    used: list[Any] = []

    def use(port: int, *, budget_ms: int = BUDGET_MS, credentials: bool = True) -> Settings:
        login = f"voip:{CONNECTION_PASSWORDS[0]}@" if credentials else ""
        uri = f"mongodb://{login}127.0.0.1:{port}/rocketchat?directConnection=true"
        settings = replace(SETTINGS, mongodb_uri=uri, mongodb_timeout_ms=budget_ms)
        monkeypatch.setattr(listing, "SETTINGS", settings)
        monkeypatch.setattr(listing, "_store_instance", None)
        database.use_database(None)
        used.append(database.get_database(settings))
        return settings

    yield use
    for handle in used:
        handle.client.close()
    database.use_database(None)


def _timed_get(api: ApiClient) -> tuple[Any, float]:
    started = time.monotonic()
    answer = api.get(user=None, headers=ADMIN.credentials)
    return answer, (time.monotonic() - started) * 1000


def test_a_port_where_nothing_listens_answers_503_within_the_budget(
    api: ApiClient, real_driver_at: UseDriverAt, refusing_port: int
) -> None:
    real_driver_at(refusing_port)
    answer, elapsed_ms = _timed_get(api)
    assert (answer.status, answer.body) == (503, UNAVAILABLE)
    assert elapsed_ms < DRIVER_DEFAULT_MS / 2, "bounded by the budget, not by a driver default of 30 s"


def test_a_server_that_accepts_and_stalls_answers_503_within_the_budget(
    api: ApiClient, real_driver_at: UseDriverAt, stalling_server: int
) -> None:
    real_driver_at(stalling_server)
    answer, elapsed_ms = _timed_get(api)
    assert (answer.status, answer.body) == (503, UNAVAILABLE)
    assert elapsed_ms < DRIVER_DEFAULT_MS / 2


def test_an_integration_event_meeting_an_outage_fails_with_service_unavailable_within_the_budget(
    real_driver_at: UseDriverAt, stalling_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_driver_at(stalling_server)
    act_as_integration_user(monkeypatch)
    budgets = record_arguments(monkeypatch, pymongo, "timeout")
    started = time.monotonic()
    with pytest.raises(IntegrationError) as caught:
        lambda_handler({"operation": "voip.rooms", "parameters": {"open": True}}, LocalLambdaContext())
    elapsed_ms = (time.monotonic() - started) * 1000
    assert (type(caught.value).__name__, str(caught.value)) == (
        "ServiceUnavailable",
        "Service temporarily unavailable",
    )
    assert budgets == [BUDGET_MS / 1000], "every command under the configured budget, as for HTTP"
    assert elapsed_ms < DRIVER_DEFAULT_MS / 2, "bounded by the budget, not by a driver default of 30 s"


def test_a_failed_request_leaves_the_container_able_to_answer_the_next_one(
    api: ApiClient, real_driver_at: UseDriverAt, refusing_port: int
) -> None:
    real_driver_at(refusing_port)
    first, _ = _timed_get(api)
    second, _ = _timed_get(api)
    assert (first.status, second.status) == (503, 503)
    assert api.get(user=None).status == 401, "requests that need no database are unaffected"


def test_a_transient_network_error_on_a_read_is_retried_once(
    api: ApiClient, real_driver_at: UseDriverAt, demo_database: Any
) -> None:
    with fake_mongod(0, demo_database) as mongod:
        real_driver_at(mongod.port, budget_ms=GENEROUS_MS, credentials=False)
        mongod.reads_to_drop["rocketchat_room"] = 1
        answer = api.get({"open": "true"}, user=None, headers=DEMO_ADMIN)
        assert answer.status == 200
        assert answer.body["total"] == 24
        assert mongod.reads.count("rocketchat_room") == 2, "the dropped read, then pymongo's one retry"


def test_a_read_that_keeps_failing_is_retried_within_the_deadline_then_answers_503(
    api: ApiClient, real_driver_at: UseDriverAt, demo_database: Any
) -> None:
    # With timeoutMS, pymongo retries a retryable read as long as the request's deadline allows
    # (rediscovering the server after a dropped connection takes at least its 500 ms re-check interval,
    # so the budget leaves a busy machine room for a retry).
    with fake_mongod(0, demo_database) as mongod:
        real_driver_at(mongod.port, budget_ms=5000, credentials=False)
        mongod.reads_to_drop["users"] = 10_000
        answer, elapsed_ms = _timed_get(api)
        assert (answer.status, answer.body) == (503, UNAVAILABLE)
        assert mongod.reads.count("users") >= 2, "retried"
        assert elapsed_ms < DRIVER_DEFAULT_MS / 2, "the retries ended at the deadline"


def test_after_the_database_comes_back_the_next_request_succeeds_without_a_restart(
    api: ApiClient,
    real_driver_at: UseDriverAt,
    refusing_port: int,
    demo_database: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One client for both requests; the first one's budget is short (it can only fail), the second's
    # one that server discovery fits in on any machine.
    generous = real_driver_at(refusing_port, budget_ms=GENEROUS_MS, credentials=False)
    monkeypatch.setattr(listing, "SETTINGS", replace(generous, mongodb_timeout_ms=BUDGET_MS))
    assert api.get(user=None, headers=DEMO_ADMIN).status == 503
    monkeypatch.setattr(listing, "SETTINGS", generous)
    with fake_mongod(refusing_port, demo_database):
        answer = api.get({"open": "true"}, user=None, headers=DEMO_ADMIN)
    assert (answer.status, answer.body["total"]) == (200, 24)
