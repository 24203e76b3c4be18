"""The same handler against a real MongoDB server, where mongomock's emulation could differ.

Runs only when MONGODB_URI points at a disposable server; each run uses a database of its own
and drops it afterwards.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson.int64 import Int64
from bson.objectid import ObjectId
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pymongo import MongoClient, monitoring

from tests.bson_order import full_order, mongodb_sorted, walk
from tests.cursor_walks import VALUES, assert_walk_is_the_sorted_result, requests, rooms, walk_pages
from tests.factories import ADMIN as TEST_ADMIN
from tests.factories import ApiClient, TestUser
from voip_rooms import database
from voip_rooms.settings import SETTINGS
from voip_rooms_local import cli, export_walk
from voip_rooms_local.demo import DEMO_USERS, demo_dataset
from voip_rooms_local.indexes import ENDPOINT_INDEXES, ensure_indexes
from voip_rooms_local.versions import mongodb_version

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
        self.commands: list[dict[str, Any]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name in ("find", "aggregate", "count"):
            self.names.append(event.command_name)
            self.commands.append(dict(event.command))

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


@pytest.fixture
def server_commands(real_api: ApiClient) -> Iterator[_CommandCounter]:
    """The handler's database, reached through a client that records the commands it sends."""
    counter = _CommandCounter()
    client: MongoClient[dict[str, Any]] = MongoClient(os.environ["MONGODB_URI"], event_listeners=[counter])
    database.use_database(client[real_api.db.name])
    yield counter
    client.close()


def test_the_server_sees_two_commands_when_the_page_tells_the_total_and_three_otherwise(
    real_api: ApiClient, server_commands: _CommandCounter
) -> None:
    admin = _as_test_user(ADMIN)
    real_api.get(user=admin)  # fills the permission cache
    server_commands.names.clear()
    assert real_api.get({"open": "true"}, user=admin).body["total"] == 24
    assert server_commands.names == ["find", "find"]
    server_commands.names.clear()
    assert real_api.get({"count": "5"}, user=admin).body["total"] == 320
    assert server_commands.names == ["find", "find", "aggregate"]


def _mixed_rooms() -> list[dict[str, Any]]:
    """Rooms whose sort field "k" holds every kind of value MongoDB orders across types, with ties."""
    chooser = random.Random(12)
    values: list[Any] = [
        None, math.nan, -3, 2, 2.0, 2.5, Int64(2**40), "", "a", "B", "ab", b"x", b"xy",
        ObjectId("66a0000000000000000000aa"), False, True, datetime(2026, 7, 1), datetime(2026, 7, 2),
    ]  # fmt: skip
    rooms = []
    for number in range(60):
        identity: Any = ObjectId() if number % 3 == 0 else f"walk-{number:03d}"
        document = {"_id": identity, "t": "v", "queue": "cursor-walk", "fname": f"walk {number}"}
        document["ts"] = datetime(2026, 7, 1) + timedelta(minutes=chooser.randrange(10))
        if number % 7:
            document["k"] = chooser.choice(values)
        rooms.append(document)
    return rooms


@pytest.mark.parametrize(
    "sort", [{"k": 1}, {"k": -1}, {"k": 1, "ts": -1}, {"k": -1, "_id": 1}, {"ts": 1}, {"ts": -1}]
)
def test_a_cursor_walk_on_the_server_follows_mongodbs_own_order(
    real_api: ApiClient, sort: dict[str, int]
) -> None:
    rooms = _mixed_rooms()
    real_api.db.rocketchat_room.insert_many(rooms)
    query = {"queue": "cursor-walk", "count": 4, "sort": json.dumps(sort), "fields": '{"fname": 1}'}

    def page(cursor: str | None) -> dict[str, Any]:
        answer = real_api.get(query | ({"after": cursor} if cursor else {}), user=_as_test_user(ADMIN))
        assert answer.status == 200, answer.body
        return dict(answer.body)

    walked = [room["_id"] for room in walk(page)]
    expected = [str(room["_id"]) for room in mongodb_sorted(rooms, full_order(list(sort.items())))]
    assert walked == expected


def test_a_cursor_page_is_one_find_without_skip_and_no_count(
    real_api: ApiClient, server_commands: _CommandCounter
) -> None:
    admin = _as_test_user(ADMIN)
    cursor = real_api.get({"count": "5"}, user=admin).body["next"]
    server_commands.names.clear()
    server_commands.commands.clear()
    answer = real_api.get({"count": "5", "after": cursor}, user=admin)
    assert answer.body["total"] is None
    assert server_commands.names == ["find", "find"]  # the user, then the rooms
    rooms_find = server_commands.commands[-1]
    assert rooms_find["find"] == "rocketchat_room"
    assert "skip" not in rooms_find


# What mongomock cannot sort as MongoDB does, walked here: NaN, and 0 and 1 beside false and true.
SERVER_VALUES = st.one_of(VALUES, st.sampled_from([math.nan, 0, 1, 1.0, Int64(-(2**40))]))


@settings(
    max_examples=60,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(documents=rooms(SERVER_VALUES), request=requests())
def test_random_cursor_walks_on_the_server_give_exactly_the_sorted_result(
    real_api: ApiClient, documents: list[dict[str, Any]], request: dict[str, Any]
) -> None:
    real_api.db.rocketchat_room.delete_many({})
    if documents:
        real_api.db.rocketchat_room.insert_many([dict(room) for room in documents])
    # walk_pages asks as the factories' admin.
    real_api.db.users.replace_one({"_id": TEST_ADMIN.user_id}, TEST_ADMIN.document(), upsert=True)
    assert_walk_is_the_sorted_result(walk_pages(real_api, request), documents, request)


def test_the_indexes_command_creates_its_partial_indexes_on_the_server(real_api: ApiClient) -> None:
    rooms = real_api.db["rocketchat_room"]
    created = ensure_indexes(rooms, dry_run=False)
    assert {action.action for action in created} == {"created"}
    info = rooms.index_information()
    assert all(info[index.name]["partialFilterExpression"] == {"t": "v"} for index in ENDPOINT_INDEXES)
    assert all(action.action.startswith("exists") for action in ensure_indexes(rooms, dry_run=False))


def test_the_server_tells_its_version(real_api: ApiClient) -> None:
    version = mongodb_version(real_api.db)
    assert version is not None
    assert re.match(r"\d+\.\d+", version)


def test_an_export_from_the_server_is_the_apis_walk_oldest_first(
    real_api: ApiClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_walk, "PAGE_ROWS", 45)
    monkeypatch.setattr("voip_rooms_local.cli._choose_database", lambda data: "the server")
    database.use_database(real_api.db)
    out = tmp_path / "calls.jsonl"
    assert cli.main(["export", "--filter", "direction=inbound", str(out)]) == 0

    def page(cursor: str | None) -> dict[str, Any]:
        query = {"count": "100", "sort": '{"ts": 1}', "direction": "inbound"} | (
            {"after": cursor} if cursor else {}
        )
        return dict(real_api.get(query, user=_as_test_user(ADMIN)).body)

    assert [json.loads(line) for line in out.read_text().splitlines()] == walk(page)
