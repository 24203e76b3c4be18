"""The same handler against a real MongoDB server, where mongomock's emulation could differ.

Runs only when MONGODB_URI points at a disposable server; each run uses a database of its own
and drops it afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from pymongo import MongoClient, monitoring

from tests.factories import ApiClient, TestUser
from voip_rooms import database
from voip_rooms.settings import SETTINGS
from voip_rooms_local.demo import DEMO_USERS, demo_dataset

pytestmark = pytest.mark.skipif(
    not os.environ.get("MONGODB_URI"), reason="needs a real MongoDB: set MONGODB_URI to a disposable server"
)
ADMIN, AGENT = DEMO_USERS[0], DEMO_USERS[2]


def _as_test_user(user: Any) -> TestUser:
    return TestUser(user.user_id, user.roles, token=user.token)


@pytest.fixture
def real_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[ApiClient]:
    name = f"voip_rooms_test_{uuid.uuid4().hex[:12]}"
    settings = replace(SETTINGS, mongodb_uri=os.environ["MONGODB_URI"], mongodb_database=name)
    database.use_database(None)
    handle = database.get_database(settings)
    if handle.name != name:
        pytest.skip("MONGODB_URI names a database; give a URI without one so the test can use its own")
    for collection, documents in demo_dataset().items():
        handle[collection].insert_many(documents)
    yield ApiClient(handle)
    handle.client.drop_database(name)
    database.use_database(None)


def test_admin_lists_the_open_calls(real_api: ApiClient) -> None:
    answer = real_api.get(user=_as_test_user(ADMIN), body={"open": True})
    assert answer.status == 200
    assert answer.body["total"] == 24
    assert all(room["open"] is True for room in answer.body["rooms"])
    assert all(room["ts"].endswith("Z") and len(room["ts"]) == 24 for room in answer.body["rooms"])


def test_agent_pages_through_own_rooms_without_repeats(real_api: ApiClient) -> None:
    agent = _as_test_user(AGENT)
    first = real_api.get({"agents": AGENT.user_id, "count": 20}, user=agent)
    total = first.body["total"]
    seen = list(first.room_ids)
    offset = 20
    while offset < total:
        seen += real_api.get({"agents": AGENT.user_id, "count": 20, "offset": offset}, user=agent).room_ids
        offset += 20
    assert len(seen) == len(set(seen)) == total


def test_filters_projection_and_regex_on_the_server(real_api: ApiClient) -> None:
    query = {
        "roomName": "ana souza",
        "tags[]": ["vip", "refund"],
        "fields": '{"fname": 1, "tags": 1}',
        "closedAt": '{"start": "2026-06-01"}',
        "sort": '{"fname": 1}',
    }
    answer = real_api.get(query, user=_as_test_user(ADMIN))
    assert answer.status == 200
    for room in answer.body["rooms"]:
        assert room.keys() <= {"_id", "fname", "tags"}
        assert room["fname"] == "Ana Souza"
        assert {"vip", "refund"} & set(room["tags"])


class _CommandCounter(monitoring.CommandListener):
    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "aggregate", "count"):
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def test_the_server_sees_two_commands_when_the_page_tells_the_total_and_three_otherwise(
    real_api: ApiClient,
) -> None:
    counter = _CommandCounter()
    name = real_api.db.name
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"], event_listeners=[counter])
    try:
        database.use_database(client[name])
        admin = _as_test_user(ADMIN)
        real_api.get(user=admin)  # fills the permission cache
        counter.names.clear()
        assert real_api.get({"open": "true"}, user=admin).body["total"] == 24
        assert counter.names == ["find", "find"]
        counter.names.clear()
        assert real_api.get({"count": "5"}, user=admin).body["total"] == 320
        assert counter.names == ["find", "find", "aggregate"]
    finally:
        client.close()
