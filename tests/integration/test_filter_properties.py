"""Random valid requests against random rooms give exactly what a plain-Python reading of the
contract selects, in the contract's order; random bytes as parameters never give a 5xx."""

from __future__ import annotations

import json
import operator
import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote_to_bytes

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import ADMIN, ApiClient, default_permissions
from voip_rooms import database
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.events import rest_event

AGENTS, QUEUES, VISITORS, TAGS = (
    ["a1", "a2", "a3"],
    ["sales", "support", "billing"],
    ["v1", "v2", "v3"],
    ["x", "y", "z"],
)
NAMES = ["Mary Jones", "mary.j (vip)", "John Smith", "Ana+Lu", "ZOE"]
EPOCH = datetime(2026, 1, 1)
DATES = st.integers(0, 400).map(lambda hours: EPOCH + timedelta(hours=hours))


@st.composite
def rooms(draw: st.DrawFn) -> list[dict[str, Any]]:
    documents = []
    for number in range(draw(st.integers(0, 25))):
        document: dict[str, Any] = {
            "_id": f"r{number:03d}",
            "t": draw(st.sampled_from(["v", "v", "v", "l"])),
            "ts": draw(DATES),
            "fname": draw(st.sampled_from(NAMES)),
            "name": draw(st.sampled_from(NAMES)),
            "queue": draw(st.sampled_from(QUEUES)),
            "direction": draw(st.sampled_from(["inbound", "outbound"])),
            "servedBy": {"_id": draw(st.sampled_from(AGENTS))},
            "v": {"_id": draw(st.sampled_from(VISITORS))},
            "tags": draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=2)),
        }
        if draw(st.booleans()):
            document["open"] = True
        else:
            document["closedAt"] = document["ts"] + timedelta(minutes=draw(st.integers(1, 600)))
        documents.append(document)
    return documents


def _iso(when: datetime) -> str:
    return when.isoformat() + "Z"


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    request: dict[str, Any] = {}
    if draw(st.booleans()):
        request["agents"] = draw(st.lists(st.sampled_from(AGENTS), min_size=1, max_size=2, unique=True))
    if draw(st.booleans()):
        request["open"] = draw(st.booleans())
    for name in ("createdAt", "closedAt"):
        if draw(st.booleans()):
            bounds = {}
            start, end = draw(st.one_of(st.none(), DATES)), draw(st.one_of(st.none(), DATES))
            if start and end and start > end:
                start, end = end, start
            if start:
                bounds["start"] = _iso(start)
            if end:
                bounds["end"] = _iso(end)
            request[name] = bounds
    if draw(st.booleans()):
        request["tags"] = draw(st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True))
    for name, values in (("queue", QUEUES), ("visitorId", VISITORS), ("direction", ["inbound", "outbound"])):
        if draw(st.booleans()):
            request[name] = draw(st.sampled_from(values))
    if draw(st.booleans()):
        name = draw(st.sampled_from(NAMES))
        position = draw(st.integers(0, len(name) - 1))
        part = name[position : position + 4]
        request["roomName"] = draw(st.sampled_from([part, part.lower(), part.upper()]))
    request["count"] = draw(st.integers(1, 12))
    request["offset"] = draw(st.integers(0, 15))
    request["sort"] = draw(st.sampled_from([{"ts": -1}, {"ts": 1}, {"fname": 1}, {"queue": -1, "ts": 1}]))
    return request


def _selects(room: dict[str, Any], request: dict[str, Any]) -> bool:
    def within(value: datetime | None, bounds: dict[str, str] | None) -> bool:
        if not bounds:
            return True  # no bound given: no condition, even on rooms without the field
        if value is None:
            return False
        start, end = bounds.get("start"), bounds.get("end")
        return (start is None or value >= datetime.fromisoformat(start[:-1])) and (
            end is None or value <= datetime.fromisoformat(end[:-1])
        )

    return all(
        [
            room["t"] == "v",
            "agents" not in request or room["servedBy"]["_id"] in request["agents"],
            "open" not in request or (room.get("open") is True) == request["open"],
            within(room["ts"], request.get("createdAt")),
            within(room.get("closedAt"), request.get("closedAt")),
            "tags" not in request or bool(set(room["tags"]) & set(request["tags"])),
            request.get("queue", room["queue"]) == room["queue"],
            request.get("visitorId", room["v"]["_id"]) == room["v"]["_id"],
            request.get("direction", room["direction"]) == room["direction"],
            "roomName" not in request or request["roomName"].lower() in room["name"].lower(),
        ]
    )


def reference(documents: list[dict[str, Any]], request: dict[str, Any]) -> tuple[list[str], int]:
    """The contract, read plainly: filter, order by the sort keys then _id, then page."""
    selected = [room for room in documents if _selects(room, request)]
    order = [*request["sort"].items(), ("_id", next(iter(request["sort"].values())))]
    for field, direction in reversed(order):  # stable sorts, last key first
        selected.sort(key=operator.itemgetter(field), reverse=direction == -1)
    offset = request["offset"]
    return [room["_id"] for room in selected[offset : offset + request["count"]]], len(selected)


@settings(max_examples=80)
@given(documents=rooms(), request=requests(), in_body=st.booleans())
def test_the_api_selects_and_orders_exactly_as_the_contract_reads(
    documents: list[dict[str, Any]], request: dict[str, Any], in_body: bool
) -> None:
    mongo = embedded_database({"rocketchat_permissions": default_permissions(), "rocketchat_room": documents})
    database.use_database(mongo)
    try:
        api = ApiClient(mongo)
        api.add_user(ADMIN)
        if in_body:
            answer = api.get(body=request)
        else:
            query = {k: json.dumps(v) if isinstance(v, dict) else v for k, v in request.items()}
            query["open"] = str(query["open"]).lower() if "open" in query else None
            answer = api.get({k: v for k, v in query.items() if v is not None})
        expected_ids, expected_total = reference(documents, request)
        assert answer.status == 200, answer.body
        assert answer.room_ids == expected_ids
        assert answer.body["total"] == expected_total
    finally:
        database.use_database(None)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    name=st.sampled_from(
        [
            "agents",
            "open",
            "createdAt",
            "sort",
            "fields",
            "count",
            "queue",
            "roomName",
            "agents[]",
            "after",
            "x",
        ]
    ),
    raw=st.binary(max_size=40),
    body=st.binary(max_size=40),
)
def test_random_bytes_as_parameters_never_give_a_5xx(
    demo_db: Any, name: str, raw: bytes, body: bytes
) -> None:
    api = ApiClient(demo_db)
    credentials = {"X-User-Id": "demo-admin", "X-Auth-Token": "demo-admin-token"}
    event = rest_event(
        "GET", "/api/v1/voip/rooms", headers=credentials, body=body.decode("utf-8", "surrogateescape")
    )
    # Decoded permissively, so that undecodable bytes reach the handler as lone surrogates: the worst case.
    value = unquote_to_bytes(quote(raw)).decode("utf-8", "surrogateescape")
    event["multiValueQueryStringParameters"] = {name: [value]}
    event["queryStringParameters"] = {name: value}
    answer = api.send(event)
    assert answer.status < 500, answer.body
    assert re.fullmatch(r"[24]\d\d", str(answer.status))
