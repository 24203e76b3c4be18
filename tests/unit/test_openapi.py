"""The OpenAPI document: written by Powertools from the documentation route, committed, and in step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from voip_rooms.handler import ROOMS_PATH
from voip_rooms.params import FIELD_NAMES
from voip_rooms_local.cli import main
from voip_rooms_local.openapi import openapi_json

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.json"


def test_the_committed_openapi_json_is_what_the_code_writes() -> None:
    assert COMMITTED.read_text() == openapi_json(), "run: .venv/bin/voip-rooms openapi > openapi.json"


def test_voip_rooms_openapi_prints_the_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["openapi"]) == 0
    assert json.loads(capsys.readouterr().out)["openapi"] == "3.1.0"


def test_the_document_names_exactly_the_parameters_the_function_accepts() -> None:
    document = json.loads(openapi_json())
    operation = document["paths"][ROOMS_PATH]["get"]
    assert {p["in"] for p in operation["parameters"]} == {"query"}
    assert {p["name"] for p in operation["parameters"]} == set(FIELD_NAMES)


def test_the_credential_headers_are_security_schemes_required_together() -> None:
    document = json.loads(openapi_json())
    schemes = document["components"]["securitySchemes"]
    assert {name: (s["type"], s["in"], s["name"]) for name, s in schemes.items()} == {
        "userId": ("apiKey", "header", "X-User-Id"),
        "authToken": ("apiKey", "header", "X-Auth-Token"),
    }
    assert document["security"] == [{"userId": [], "authToken": []}]


def test_every_answer_the_function_gives_is_documented_with_a_schema() -> None:
    responses = json.loads(openapi_json())["paths"][ROOMS_PATH]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "403", "413", "500", "503"}
    assert all("schema" in answer["content"]["application/json"] for answer in responses.values())
