"""Real stored shapes (tests/corpus as 7.x wrote it and as the 8.x upgrade left it, the demo data) answer
the same from every export format, and every answer is described by openapi.json's response schema,
checked by a real JSON Schema validator."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from jsonschema import Draft202012Validator

from tests.corpus import ADMIN_ID, ADMIN_PAT, FORMATS, LINES, VOIP_ROOM_COUNT, corpus_in
from tests.factories import ROOMS_PATH, ApiClient, TestUser, room
from voip_rooms import database
from voip_rooms_local.datasets import load_directory
from voip_rooms_local.demo import DEMO_USERS

OPENAPI = Path(__file__).parents[2] / "openapi.json"
CORPUS_ADMIN = TestUser(ADMIN_ID, ("admin",), token=ADMIN_PAT)
DEMO_ADMIN = TestUser(DEMO_USERS[0].user_id, DEMO_USERS[0].roles, token=DEMO_USERS[0].token)
PROJECTIONS = [
    None,
    '{"v": 1}',
    '{"v": 1, "_id": 0}',
    '{"fname": 1, "callWaitingTime": 1, "callDuration": 1, "open": 1}',
    '{"lastMessage": 0, "metrics": 0, "v": 0}',
    '{"v.token": 1}',
    '{"servedBy": 1, "closedBy": 1, "tags": 1, "livechatData": 1, "source": 1}',
]
SORTS = ['{"callWaitingTime": 1}', '{"closedAt": -1}', '{"ts": 1}']


@pytest.fixture(scope="module")
def response_schema() -> Draft202012Validator:
    document = json.loads(OPENAPI.read_text())
    ok = document["paths"][ROOMS_PATH]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    schema = {**ok, "components": document["components"]}
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


@pytest.fixture(scope="module", params=LINES, ids=lambda line: f"rocketchat-{line}")
def corpus_databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    """The corpus of one Rocket.Chat line (7.x as written, 8.x after its migrations), by format."""
    root = tmp_path_factory.mktemp("corpus")
    line = request.param
    return {
        fmt: load_directory(corpus_in(root / fmt.replace(".", "-"), fmt, line)).database for fmt in FORMATS
    } | {"line": line}


@pytest.fixture
def installed() -> Iterator[None]:
    yield
    database.use_database(None)


def _answer(db: Any, user: TestUser, query: dict[str, str]) -> Any:
    database.use_database(db)
    answer = ApiClient(db).get({"count": "100", **query}, user=user)
    assert answer.status == 200, answer.body
    return answer.body


def _query(fields: str | None, sort: str | None = None) -> dict[str, str]:
    query = {"fields": fields} if fields else {}
    return query | ({"sort": sort} if sort else {})


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize("fields", PROJECTIONS)
def test_each_corpus_room_answers_the_same_from_json_bson_and_gzipped_bson(
    corpus_databases: dict[str, Any], fields: str | None
) -> None:
    answers = {fmt: _answer(corpus_databases[fmt], CORPUS_ADMIN, _query(fields)) for fmt in FORMATS}
    assert answers["json"]["total"] == VOIP_ROOM_COUNT
    assert answers["bson"] == answers["json"]
    assert answers["bson.gz"] == answers["json"]


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize("sort", [None, *SORTS])
@pytest.mark.parametrize("fields", PROJECTIONS)
def test_every_corpus_answer_is_described_by_the_published_schema(
    corpus_databases: dict[str, Any],
    response_schema: Draft202012Validator,
    fields: str | None,
    sort: str | None,
) -> None:
    body = _answer(corpus_databases["bson.gz"], CORPUS_ADMIN, _query(fields, sort))
    assert len(body["rooms"]) == VOIP_ROOM_COUNT
    assert [error.message for error in response_schema.iter_errors(body)] == []
    assert "visitor-token-" not in json.dumps(body)


@pytest.mark.usefixtures("demo_db")
@pytest.mark.parametrize("fields", PROJECTIONS)
def test_every_demo_answer_is_described_by_the_published_schema(
    demo_db: Any, response_schema: Draft202012Validator, fields: str | None
) -> None:
    for offset in range(0, 400, 100):
        body = (
            ApiClient(demo_db)
            .get({"count": "100", "offset": str(offset), **_query(fields)}, user=DEMO_ADMIN)
            .body
        )
        assert [error.message for error in response_schema.iter_errors(body)] == []
        assert all("token" not in room.get("v", {}) for room in body["rooms"])


@pytest.mark.usefixtures("installed")
def test_corpus_oddities_are_served_as_stored(corpus_databases: dict[str, Any]) -> None:
    rooms = {room["_id"]: room for room in _answer(corpus_databases["bson"], CORPUS_ADMIN, {})["rooms"]}
    assert rooms["corpus-nan-wait"]["callWaitingTime"] is None
    assert rooms["60d5ec49f1a2b3c4d5e6f708"]["fname"] == "Caller 8"
    # v326 removed open from every VoIP room that had it, this one's false too.
    legacy_open = {"7.x": False, "8.x": "removed"}[corpus_databases["line"]]
    assert rooms["corpus-legacy-open-false"].get("open", "removed") == legacy_open
    assert "servedBy" not in rooms["corpus-unserved"]
    assert rooms["corpus-tags-null"]["tags"] is None
    assert rooms["corpus-open-7x"]["livechatData"] == ""
    assert rooms["corpus-open-7x"]["v"]["phone"] == "+55 11 98765-4321"
    assert rooms["corpus-open-no-pbx-event"]["v"]["phone"] is None
    assert rooms["corpus-int64-numbers"]["usersCount"] == 2.0
    assert rooms["corpus-last-message-attachment"]["lastMessage"]["attachments"][0]["audio_size"] == 48213
    assert rooms["corpus-future-fields"]["media"] == {"codec": "opus", "bitrate": 32000}
    assert rooms["corpus-objectid-visitor"]["v"]["_id"] == "60d5ec49f1a2b3c4d5e6f709"


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    ("user_id", "token", "status"),
    [
        ("corpus-admin", "corpus-admin-pat", 200),
        ("corpus-agent", "corpus-agent-pat", 403),
        ("corpus-monitor", "corpus-monitor-pat", 200),
        ("corpus-admin", "old-device-token-3", 401),
        ("corpus-admin", "old-device-token-90", 401),
        ("corpus-expired", "corpus-expired-token", 401),
        ("corpus-no-when", "corpus-no-when-token", 401),
        # An imported user that never got a username: Rocket.Chat 8.x serves no REST caller without one.
        ("corpus-no-username", "corpus-no-username-pat", 401),
    ],
)
def test_corpus_users_with_many_tokens_authenticate_as_rocket_chat_does(
    corpus_databases: dict[str, Any], user_id: str, token: str, status: int
) -> None:
    db = corpus_databases["bson.gz"]
    database.use_database(db)
    assert ApiClient(db).get(user=TestUser(user_id, (), token=token)).status == status


@pytest.mark.usefixtures("installed")
def test_corpus_agent_lists_only_their_own_rooms(corpus_databases: dict[str, Any]) -> None:
    db = corpus_databases["json"]
    database.use_database(db)
    answer = ApiClient(db).get(
        {"agents[]": "corpus-agent"}, user=TestUser("corpus-agent", (), token="corpus-agent-pat")
    )
    assert answer.status == 200
    assert {room["servedBy"]["_id"] for room in answer.body["rooms"]} == {"corpus-agent"}


@pytest.mark.parametrize(("direction", "nan_at"), [(1, "first"), (-1, "last")])
def test_nan_sorts_before_every_other_number_as_in_mongodb(
    api: ApiClient, direction: int, nan_at: str
) -> None:
    api.add_rooms(*(room(callWaitingTime=wait) for wait in (3000, math.nan, -1e308, 0, math.nan, 15)))
    waits = [
        r["callWaitingTime"]
        for r in api.get({"sort": json.dumps({"callWaitingTime": direction})}).body["rooms"]
    ]
    numbers = sorted([-1e308, 0, 15, 3000], reverse=direction == -1)
    assert waits == ([None, None, *numbers] if nan_at == "first" else [*numbers, None, None])


def test_decimal128_sorts_among_the_numbers_and_other_types_by_type_order(api: ApiClient) -> None:
    stored = {"d": Decimal128("7.5"), "i": 3, "f": 10.25, "s": "text", "n": None, "nan": Decimal128("NaN")}
    api.add_rooms(*(room(_id=key, callDuration=value) for key, value in stored.items()))
    answer = api.get({"sort": '{"callDuration": 1}'})
    assert answer.status == 200
    assert answer.room_ids == ["n", "nan", "i", "d", "f", "s"]


def test_dates_outside_pythons_range_sort_among_the_dates_and_are_served(api: ApiClient) -> None:
    stored = {"before-year-1": DatetimeMS(-62_200_000_000_000), "now": datetime(2026, 7, 1), "text": "soon"}
    api.add_rooms(*(room(_id=key, closedAt=value) for key, value in stored.items()))
    answer = api.get({"sort": '{"closedAt": -1}'})
    assert answer.status == 200
    assert answer.room_ids == ["now", "before-year-1", "text"]
    assert answer.body["rooms"][1]["closedAt"] == "-000002-12-17T14:13:20.000Z"
