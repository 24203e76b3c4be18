"""Shared fixtures: an embedded Rocket.Chat database behind the handler's data seam, and a client."""

from __future__ import annotations

import io
import json
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from tests.factories import ADMIN, ApiClient, default_permissions
from voip_rooms import auth, database, handler, listing, responses, serialization
from voip_rooms.permissions import PermissionCache
from voip_rooms.store import RocketChatStore
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.demo import demo_dataset

Document = dict[str, Any]

# A suite started in the background by a shell without job control inherits SIGINT ignored (POSIX),
# and so would every process it starts: the tests of Ctrl-C need Python's own handler in both.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

# Hypothesis times each example and each example's generation; on a busy machine either can be slow
# with nothing wrong. In every property test: no deadline and no too_slow health check (a test that
# sets its own suppress_health_check names too_slow again).
settings.register_profile("any-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("any-machine")


@pytest.fixture
def db() -> Iterator[Any]:
    """An empty Rocket.Chat database with the default permissions, installed as the handler's database."""
    mongo = embedded_database({"rocketchat_permissions": default_permissions()})
    database.use_database(mongo)
    yield mongo
    database.use_database(None)


@pytest.fixture(scope="module")
def demo_database() -> Any:
    """The local runner's demo dataset in an embedded database, built once per test module."""
    return embedded_database(demo_dataset())


@pytest.fixture
def demo_db(demo_database: Any) -> Iterator[Any]:
    """The demo database, installed as the handler's database for one test."""
    database.use_database(demo_database)
    yield demo_database
    database.use_database(None)


# Passwords that tests put in connection strings; the leak guard looks for them too.
CONNECTION_PASSWORDS = ["s3cr3t-db-password"]


class _Tee(io.StringIO):
    def __init__(self, downstream: Any) -> None:
        super().__init__()
        self.downstream = downstream

    def write(self, text: str) -> int:
        self.downstream.write(text)
        return super().write(text)


@pytest.fixture(autouse=True)
def no_secret_leaks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Across the whole suite: no token, token hash or database password in a log line or a response;
    nor any user id a request claimed that matched no token, since it may be a token itself (a client
    that swapped the two credential headers)."""
    secrets = list(CONNECTION_PASSWORDS)
    original_hash = auth.hash_login_token
    original_lookup = RocketChatStore.find_user_by_token

    def recording_hash(token: str) -> str:
        hashed = original_hash(token)
        secrets.extend((token, hashed))
        return hashed

    def recording_lookup(store: RocketChatStore, user_id: str, hashed_token: str) -> Any:
        user = original_lookup(store, user_id, hashed_token)
        if user is None:
            secrets.append(user_id)
        return user

    bodies: list[bytes] = []
    original_to_json = serialization.to_json  # responses.py's own reference is the one patched below

    def recording_to_json(payload: Any) -> bytes:
        body = original_to_json(payload)
        bodies.append(body)
        return body

    monkeypatch.setattr(auth, "hash_login_token", recording_hash)
    monkeypatch.setattr(RocketChatStore, "find_user_by_token", recording_lookup)
    monkeypatch.setattr(responses, "to_json", recording_to_json)
    log_handler: Any = handler.logger.registered_handler
    # This test's own stdout, and not setStream (which flushes the old stream): a second pytest
    # session in one process (mutmut's) finds the stream the logger first wrote to closed.
    tee = _Tee(sys.stdout)
    previous, log_handler.stream = log_handler.stream, tee
    yield
    if log_handler.stream is tee:
        log_handler.stream = previous
    written = tee.getvalue() + b"".join(bodies).decode("utf-8", "replace")
    leaked = sorted({secret for secret in secrets if len(secret) >= 8 and secret in written})
    assert not leaked, f"secrets in logs or responses: {leaked}"


@pytest.fixture(autouse=True)
def fresh_permission_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each test edits permissions in its own database: no cache may outlive it.
    monkeypatch.setattr(listing, "permission_cache", PermissionCache(ttl_seconds=60))


@pytest.fixture
def api(db: Any) -> ApiClient:
    """A client calling lambda_handler with API Gateway REST events, logged in as an admin by default."""
    client = ApiClient(db)
    client.add_user(ADMIN)
    return client


@pytest.fixture
def logs() -> Iterator[Callable[[], list[dict[str, Any]]]]:
    """The handler's structured log lines, parsed, as written so far."""
    log_handler: Any = handler.logger.registered_handler
    # On to the stream before it too, so that the leak guard reads these lines as well.
    stream = _Tee(log_handler.stream)
    previous = log_handler.setStream(stream)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    log_handler.setStream(previous)


@pytest.fixture
def rooms_never_read(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Records every room query sent, so a test can prove that a refused request sent none."""
    queries: list[Any] = []
    original_find, original_count = RocketChatStore.find_rooms, RocketChatStore.count_rooms

    def find(self: RocketChatStore, query: Any, *args: Any) -> Any:
        queries.append(query)
        return original_find(self, query, *args)

    def count(self: RocketChatStore, query: Any) -> int:
        queries.append(query)
        return original_count(self, query)

    monkeypatch.setattr(RocketChatStore, "find_rooms", find)
    monkeypatch.setattr(RocketChatStore, "count_rooms", count)
    return queries


def _machine_time_zone(monkeypatch: pytest.MonkeyPatch, posix_tz: str) -> Iterator[None]:
    """The process's local time zone for one test. A POSIX TZ string, so no time zone database is needed."""
    with monkeypatch.context() as patch:
        patch.setenv("TZ", posix_tz)
        time.tzset()
        yield
    time.tzset()


@pytest.fixture
def machine_in_another_time_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine three hours west of UTC (the local runner on a laptop; Lambda runs in UTC)."""
    yield from _machine_time_zone(monkeypatch, "BRT3")


@pytest.fixture
def machine_with_summer_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine on New York's time: five hours west of UTC in winter, four in summer."""
    yield from _machine_time_zone(monkeypatch, "EST5EDT,M3.2.0,M11.1.0")
