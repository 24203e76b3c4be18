"""What Lambda's Python runtime sends back for the handler's results, through its own marshaller
(awslambdaric, the runtime interface client the managed runtime runs): an integration answer is JSON
bytes, which it must post unchanged; a front door's result is a dict, which it writes as JSON.

AWS documents only JSON-serializable results; the function returns bytes to spare the page a second
writing (docs/ARCHITECTURE.md). This is the guard on that choice, with the function's
RuntimeManagementConfig, which takes a new runtime only with a deployment (and its canary)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from awslambdaric.lambda_runtime_marshaller import LambdaMarshaller

from tests.factories import DEMO_ADMIN, act_as_integration_user
from voip_rooms.handler import lambda_handler
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

ROOMS_PATH = "/api/v1/voip/rooms"


@pytest.fixture
def integration_user(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    act_as_integration_user(monkeypatch)
    return demo_db


@pytest.mark.usefixtures("integration_user")
@pytest.mark.parametrize(
    "event",
    [
        {"operation": "voip.rooms", "parameters": {"count": 2, "sort": {"closedAt": 1}}},
        [{"operation": "voip.rooms", "parameters": {"count": 1}}, {"operation": "voip.rooms"}],
    ],
    ids=["event", "batch"],
)
def test_the_runtime_posts_an_integration_answers_json_bytes_unchanged(event: Any) -> None:
    answer = lambda_handler(event, LocalLambdaContext())
    assert isinstance(answer, bytes)
    posted, content_type = LambdaMarshaller().marshal_response(answer)
    assert posted == answer
    assert content_type == "application/unknown"
    # What the caller then reads: the answer object (or the array of them), as JSON.
    assert json.loads(posted) == json.loads(answer.decode("utf-8"))


@pytest.mark.usefixtures("demo_db")
@pytest.mark.parametrize("door", sorted(EVENT_BUILDERS))
def test_the_runtime_writes_a_front_doors_result_as_the_json_the_front_door_reads(door: str) -> None:
    event = EVENT_BUILDERS[door]("GET", ROOMS_PATH, headers=DEMO_ADMIN.credentials, query_string="count=2")
    result = lambda_handler(event, LocalLambdaContext())
    posted, content_type = LambdaMarshaller().marshal_response(result)
    assert content_type == "application/json"
    read = json.loads(posted)
    assert read == result
    assert (read["statusCode"], json.loads(read["body"])["count"]) == (200, 2)
