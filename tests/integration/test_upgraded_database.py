"""Contract §8: a database that went through Rocket.Chat 8.x's migrations still serves its call history.

The same requests run on the corpus as 7.x wrote it and as the 8.x upgrade left it (tests/corpus);
what each must answer is worked out from the stored rooms, so both lines meet the same rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from bson import json_util
from bson.json_util import CANONICAL_JSON_OPTIONS

from tests.bson_order import full_order, mongodb_sorted, walk
from tests.corpus import ADMIN_ID, ADMIN_PAT, CORPUS, EXPORTS, LINES, UPGRADED, VOIP_ROOM_COUNT
from tests.corpus.upgrade import upgraded_to_8x
from tests.factories import ApiClient, TestUser
from voip_rooms import database, handler
from voip_rooms_local.datasets import load_directory, read_collections

CORPUS_ADMIN = TestUser(ADMIN_ID, ("admin",), token=ADMIN_PAT)
OPEN_IN_7X = {"corpus-open-7x", "corpus-open-no-pbx-event", "corpus-future-fields", "corpus-visitor-extra"}
OPEN_IN_7X |= {"corpus-queued"}
EVERY_DAY = json.dumps({"start": "2000-01-01", "end": "2099-12-31T23:59:59Z"})


@pytest.fixture(scope="module")
def stored() -> dict[str, list[dict[str, Any]]]:
    """Each line's rooms as stored."""
    return {line: read_collections(EXPORTS[line])["rocketchat_room"] for line in LINES}


@pytest.fixture(scope="module")
def databases() -> dict[str, Any]:
    return {line: load_directory(EXPORTS[line]).database for line in LINES}


@pytest.fixture(params=LINES, ids=lambda line: f"rocketchat-{line}")
def line(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def corpus_api(databases: dict[str, Any], line: str) -> Iterator[ApiClient]:
    database.use_database(databases[line])
    yield ApiClient(databases[line])
    database.use_database(None)


def _voip(stored: dict[str, list[dict[str, Any]]], line: str) -> list[dict[str, Any]]:
    return [room for room in stored[line] if room["t"] == "v"]


def _voip_ids(stored: dict[str, list[dict[str, Any]]], line: str, condition: Any = bool) -> set[str]:
    """The ids the API answers (an ObjectId as its hex) of the stored VoIP rooms meeting the condition."""
    return {str(room["_id"]) for room in _voip(stored, line) if condition(room)}


def _ids(api: ApiClient, query: dict[str, str]) -> set[str]:
    answer = api.get({"count": "100", **query}, user=CORPUS_ADMIN)
    assert answer.status == 200, answer.body
    assert answer.body["total"] == len(answer.body["rooms"])
    return set(answer.room_ids)


def _canonical(collections: dict[str, list[dict[str, Any]]]) -> dict[str, list[str]]:
    # As text: NaN equals itself there, and every BSON type is kept apart (an int is no double).
    return {
        name: [json_util.dumps(document, json_options=CANONICAL_JSON_OPTIONS) for document in documents]
        for name, documents in collections.items()
    }


def test_the_8x_corpus_is_the_7x_corpus_after_the_8x_migrations() -> None:
    expected = _canonical(upgraded_to_8x(read_collections(CORPUS)))
    assert _canonical(read_collections(UPGRADED / "export")) == expected
    assert _canonical(read_collections(UPGRADED / "dump" / "rocketchat")) == expected


def test_the_upgrade_closed_the_open_calls_without_a_closing_date(stored: dict[str, Any]) -> None:
    before = {room["_id"]: room for room in _voip(stored, "7.x")}
    after = {room["_id"]: room for room in _voip(stored, "8.x")}
    assert {key for key, room in before.items() if room.get("open") is True} == OPEN_IN_7X
    assert [key for key, room in after.items() if "open" in room] == []
    closed_by_upgrade = {key for key, room in after.items() if "closedAt" not in room}
    assert closed_by_upgrade == OPEN_IN_7X
    assert all("closer" not in after[key] and "closedBy" not in after[key] for key in closed_by_upgrade)


def test_open_true_lists_only_rooms_stored_open_so_none_after_the_upgrade(
    corpus_api: ApiClient, stored: dict[str, Any], line: str
) -> None:
    expected = _voip_ids(stored, line, lambda room: room.get("open") is True)
    assert _ids(corpus_api, {"open": "true"}) == expected
    assert len(expected) == {"7.x": 5, "8.x": 0}[line]


def test_rooms_closed_by_the_upgrade_are_listed_as_closed_and_without_open(
    corpus_api: ApiClient, stored: dict[str, Any], line: str
) -> None:
    closed = _voip_ids(stored, line, lambda room: room.get("open") is not True)
    assert _ids(corpus_api, {"open": "false"}) == closed
    assert _ids(corpus_api, {}) == _voip_ids(stored, line)
    if line == "8.x":
        assert closed >= OPEN_IN_7X
        assert len(closed) == VOIP_ROOM_COUNT


def test_no_closed_at_range_matches_a_room_closed_by_the_upgrade(
    corpus_api: ApiClient, stored: dict[str, Any], line: str
) -> None:
    dated = _voip_ids(stored, line, lambda room: "closedAt" in room)
    assert _ids(corpus_api, {"closedAt": EVERY_DAY}) == dated
    assert _ids(corpus_api, {"open": "false", "closedAt": EVERY_DAY}) == dated
    assert not dated & OPEN_IN_7X


@pytest.mark.parametrize("direction", [1, -1])
@pytest.mark.parametrize("field", ["closedAt", "open"])
def test_a_cursor_walk_by_a_field_the_upgrade_removed_follows_mongodbs_order(
    corpus_api: ApiClient, stored: dict[str, Any], line: str, field: str, direction: int
) -> None:
    sort = {field: direction}

    def page(cursor: str | None) -> dict[str, Any]:
        query = {"count": "4", "sort": json.dumps(sort)} | ({"after": cursor} if cursor else {})
        answer = corpus_api.get(query, user=CORPUS_ADMIN)
        assert answer.status == 200, answer.body
        return dict(answer.body)

    walked = [room["_id"] for room in walk(page)]
    expected = mongodb_sorted(_voip(stored, line), full_order(list(sort.items())))
    assert walked == [str(room["_id"]) for room in expected]
    # Missing sorts lowest: the rooms without the field come first ascending, last descending.
    missing = [str(room["_id"]) for room in expected if field not in room]
    at = walked[: len(missing)] if direction == 1 else walked[len(walked) - len(missing) :]
    assert at == missing


def test_the_anonymous_role_that_7x_served_is_refused_after_the_upgrade(
    corpus_api: ApiClient, line: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Its token is from 2023: let it count as fresh, so that only the upgrade decides.
    monkeypatch.setattr(handler, "login_expiration", timedelta(days=365_000))
    anonymous = TestUser("corpus-anonymous", (), token="corpus-anonymous-token")
    # 7.x: signed in, but the anonymous role may not list calls; 8.x (v338): deactivated, no tokens.
    assert corpus_api.get(user=anonymous).status == {"7.x": 403, "8.x": 401}[line]


def test_the_permission_model_is_unchanged_by_the_upgrade(corpus_api: ApiClient, line: str) -> None:
    monitor = TestUser("corpus-monitor", (), token="corpus-monitor-pat")
    agent = TestUser("corpus-agent", (), token="corpus-agent-pat")
    assert corpus_api.get(user=monitor).status == 200
    assert corpus_api.get(user=agent).status == 403
    own = corpus_api.get({"agents[]": "corpus-agent"}, user=agent)
    assert own.status == 200
    assert {room["servedBy"]["_id"] for room in own.body["rooms"]} == {"corpus-agent"}
