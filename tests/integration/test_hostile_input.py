"""Malformed and hostile requests: each gets the contract's 4xx naming the problem, never a 5xx,
and no room query is sent to the database."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

import bson
import pytest

from tests.factories import ADMIN, ApiClient, room
from voip_rooms.cursor import encode_cursor
from voip_rooms_local.events import rest_event

START = datetime(2026, 7, 1)
DEFAULT_ORDER = [("ts", -1), ("_id", -1)]


def _forged(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(bson.encode(document)).rstrip(b"=").decode("ascii")


PARAMETERS = (
    "agents",
    "open",
    "createdAt",
    "closedAt",
    "tags",
    "queue",
    "visitorId",
    "direction",
    "roomName",
    "count",
    "offset",
    "sort",
    "fields",
    "after",
)
# A JSON value of the wrong kind for each parameter, and operators where data belongs.
WRONG_IN_BODY: dict[str, list[Any]] = {
    "agents": ["a", 1, {"$ne": None}, [{"$gt": ""}]],
    "open": [1, "yes", {"$exists": True}, [True]],
    "createdAt": [5, ["2026-01-01"], {"start": {"$gt": 0}}, {"start": 1234567890}],
    "closedAt": [True, "tomorrow", {"end": [1]}, {"$lt": "2026"}],
    "tags": ["vip", {"$in": ["vip"]}, [1], [["vip"]]],
    "queue": [1, {"$ne": None}, ["a"], {"$regex": ".*"}],
    "visitorId": [{"$gt": ""}, 7, [None], {"$where": "1"}],
    "direction": ["sideways", 1, {"$ne": "inbound"}, ["inbound"]],
    "roomName": [{"$regex": ".*"}, 3, ["mary"], False],
    "count": ["5", 1.5, True, -1],
    "offset": [{"$gt": 0}, "1", 2.0, 2**64],
    "sort": [{"ts": 2}, {"$where": 1}, [1], {"a..b": 1}],
    "fields": [{"a": 2}, {"a": {"$gt": 1}}, "fname", {"v.$": 1}],
    "after": [1, {"$gt": ""}, ["x"], ""],
}
SPECIAL: dict[str, tuple[str, str | None]] = {
    "body nested 5000 deep": ("", "[" * 5000 + "]" * 5000),
    "sort nested 3000 deep": ("sort=" + quote('{"a":' * 3000), None),
    "createdAt nested 2000 deep": ("createdAt=" + quote('{"a":' * 2000), None),
    "string of 1 MB": ("queue=" + "q" * 1_000_000, None),
    "10,000 agents": ("&".join(["agents=a"] * 10_000), None),
    "1 MB sort key": ("sort=" + quote(json.dumps({"k" * 100_000: 1})), None),
    "count past 64 bits": ("count=18446744073709551616", None),
    "offset past 64 bits in body": ("", '{"offset": 18446744073709551616}'),
    "NaN": ("", '{"count": NaN}'),
    "Infinity": ("", '{"offset": Infinity}'),
    "float overflow": ("", '{"count": 1e999}'),
    "date far in the future": ("createdAt=" + quote('{"start": "99999-01-01"}'), None),
    "date at the end of time with an offset": (
        "closedAt=" + quote('{"end": "9999-12-31T23:59:59-05:00"}'),
        None,
    ),
    "date before the calendar": ("createdAt=" + quote('{"start": "0000-01-01"}'), None),
    "lone surrogate in a value": ("", '{"queue": "\\ud800"}'),
    "lone surrogate in a sort key": ("", '{"sort": {"\\udfff": 1}}'),
    "lone surrogate in a parameter name": ("", '{"\\ud800": 1}'),
    "duplicated key hiding an operator": ("", '{"queue": "a", "queue": {"$ne": 1}}'),
    "repeated scalar": ("queue=a&queue=b", None),
    # Empty filters are absent filters (test_rocketchat_client.py); an empty open, count or sort is not.
    "empty open": ("open=", None),
    "empty count": ("", '{"count": ""}'),
    "empty sort": ("sort=", None),
    "$where": ("$where=sleep(1000)", None),
    "$function": ("", '{"$function": {"body": "return 1"}}'),
    "$expr": ("", '{"$expr": {"$eq": [1, 1]}}'),
    "dotted parameter name": ("v._id=x", None),
    "NUL in a value": ("queue=a%00b", None),
    "body that is a string": ("", '"open"'),
    "body that is a number": ("", "42"),
    "body that is null": ("", "null"),
    "body of invalid JSON": ("", "{'open': true}"),
    "sort of invalid JSON": ("sort=" + quote("{ts: -1}"), None),
    "fields mixing modes": ("fields=" + quote('{"fname": 1, "msgs": 0}'), None),
    "range start after end": ("createdAt=" + quote('{"start": "2026-02-01", "end": "2026-01-01"}'), None),
    "Open and open disagree": ("open=true", '{"Open": false}'),
    "after that is not a cursor": ("after=" + quote("%%% not a cursor"), None),
    "after of 1 MB": ("after=" + "A" * 1_000_000, None),
    "after of another version": ("after=" + _forged({"v": 2, "s": b"0000", "k": [START, "r"]}), None),
    "after carrying an operator": (
        "after=" + encode_cursor([{"$ne": None}, "r"], DEFAULT_ORDER),
        None,
    ),
    "after made for another sort": ("after=" + encode_cursor([START, "r"], [("fname", 1), ("_id", 1)]), None),
    "after with a non-zero offset": ("offset=5&after=" + encode_cursor([START, "r"], DEFAULT_ORDER), None),
    "after past the cursor alphabet": ("after=" + quote("RAAA+/=="), None),
}
for parameter in PARAMETERS:
    SPECIAL[f"{parameter}[$ne] in the query string"] = (f"{quote(parameter)}%5B%24ne%5D=x", None)

CASES = [
    pytest.param("", json.dumps({name: value}), id=f"{name}={json.dumps(value)[:30]}")
    for name, values in WRONG_IN_BODY.items()
    for value in values
]
CASES += [pytest.param(query, body, id=name) for name, (query, body) in SPECIAL.items()]


def test_the_corpus_is_large_and_covers_every_parameter() -> None:
    assert len(CASES) >= 80
    assert set(WRONG_IN_BODY) == set(PARAMETERS)


@pytest.mark.parametrize(("query", "body"), CASES)
def test_hostile_request_gets_a_4xx_naming_the_problem_and_reaches_no_room_query(
    api: ApiClient, rooms_never_read: list[Any], query: str, body: str | None
) -> None:
    api.add_rooms(room())
    answer = api.get(query, body=body)
    assert answer.status in (400, 413), answer.body
    assert answer.body["success"] is False
    assert answer.body["error"]
    assert len(answer.body["error"]) <= 400
    if answer.status == 400:
        assert answer.body["error"].endswith(f"[{answer.body['errorType']}]")
    assert rooms_never_read == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (base64.b64encode(b'{"open": "maybe"}').decode(), 400),
        (base64.b64encode(b"\xff\xfe not utf-8").decode(), 400),
        ("%%% not base64 %%%", 400),
        (base64.b64encode(b'{"queue": "' + b"q" * 20_000 + b'"}').decode(), 413),
    ],
)
def test_base64_encoded_bodies_are_decoded_then_judged(
    api: ApiClient, rooms_never_read: list[Any], body: str, status: int
) -> None:
    event = rest_event("GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, body=body)
    event["isBase64Encoded"] = True
    assert api.send(event).status == status
    assert rooms_never_read == []


def test_a_body_of_several_megabytes_on_a_get_is_a_413(api: ApiClient) -> None:
    answer = api.get(body='{"queue": "' + "q" * 5_000_000 + '"}')
    assert answer.status == 413
    assert answer.body == {
        "success": False,
        "error": "The request body is larger than 16384 bytes [error-body-too-large]",
        "errorType": "error-body-too-large",
    }
