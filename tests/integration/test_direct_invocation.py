"""A direct invoker's REST-shaped event (events/direct): the shape the README documents for AWS callers
that send credentials, with only the members it needs, in the types a JSON document gives them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ADMIN, ApiClient, room
from voip_rooms.handler import lambda_handler
from voip_rooms_local.events import LocalLambdaContext

MINIMAL_EVENT = Path(__file__).resolve().parents[2] / "events/direct/minimal-rest-shape.200.json"
MANAGER = {"X-User-Id": "demo-manager", "X-Auth-Token": "demo-manager-token"}


def _direct(query: dict[str, Any] | None = None, **members: Any) -> dict[str, Any]:
    """The README's minimal direct event: single-value maps only, no multi-value ones."""
    event: dict[str, Any] = json.loads(MINIMAL_EVENT.read_text())
    event["queryStringParameters"] = query
    return event | members


def _invoke(event: Any) -> tuple[int, Any]:
    result = lambda_handler(event, LocalLambdaContext())
    return result["statusCode"], json.loads(result["body"])


def test_a_single_value_agents_parameter_with_a_comma_is_one_agent_id_never_two(demo_db: Any) -> None:
    status, body = _invoke(_direct({"agents": "demo-agent-1,demo-agent-2"}))
    assert (status, body["total"]) == (200, 0), "no agent has that id: not the 110 rooms of two agents"
    status, body = _invoke(_direct({"agents": "demo-agent-1"}))
    assert (status, body["total"]) == (200, 53)


@pytest.mark.parametrize(
    "query",
    [
        {"createdAt": '{"start": "2026-09-01", "end": "2026-09-30T23:59:59Z"}'},
        {"closedAt": '{"start": "2026-09-01", "end": "2026-09-30T23:59:59Z"}'},
        {"sort": '{"queue": 1, "ts": -1}'},
        {"fields": '{"fname": 1, "queue": 1}'},
    ],
)
def test_json_parameters_with_two_keys_are_read_whole(demo_db: Any, query: dict[str, str]) -> None:
    status, body = _invoke(_direct(query))
    assert status == 200, body
    assert body["count"] > 0


def test_a_room_name_with_a_comma_is_one_filter(api: ApiClient) -> None:
    api.add_rooms(room(name="Smith, John-1700000001.1"), room(name="John Smith-1700000002.1"))
    event = _direct({"roomName": "Smith, John"}, headers=ADMIN.credentials)
    status, body = _invoke(event)
    assert (status, [r["name"] for r in body["rooms"]]) == (200, ["Smith, John-1700000001.1"])


def test_the_multi_value_map_still_carries_repeated_parameters(demo_db: Any) -> None:
    event = _direct(
        {"agents[]": "demo-agent-2"},
        multiValueQueryStringParameters={"agents[]": ["demo-agent-1", "demo-agent-2"]},
    )
    status, body = _invoke(event)
    assert (status, body["total"]) == (200, 110)
