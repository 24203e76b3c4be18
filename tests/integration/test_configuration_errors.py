"""A deployment without a usable connection string answers 503 with one ERROR line naming the setting
to fix (never its value), not a 500; and a function whose connection string the driver refuses still
starts, so each request can say so."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.factories import ApiClient
from voip_rooms import database, listing
from voip_rooms.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
DEMO_ADMIN = {"X-User-Id": "demo-admin", "X-Auth-Token": "demo-admin-token"}
UNAVAILABLE = {"success": False, "error": "Service temporarily unavailable"}
Logs = Callable[[], list[dict[str, Any]]]


def _errors(logs: Logs) -> list[dict[str, Any]]:
    return [line for line in logs() if line["level"] == "ERROR"]


def _the_error_a_request_logs(
    monkeypatch: pytest.MonkeyPatch, logs: Logs, *, secret_arn: str = ""
) -> dict[str, Any]:
    """Serves one request with no connection string but `secret_arn`: it answers 503 and logs one ERROR."""
    settings = replace(SETTINGS, mongodb_uri="", mongodb_secret_arn=secret_arn, mongodb_uri_parameter="")
    monkeypatch.setattr(listing, "SETTINGS", settings)
    monkeypatch.setattr(listing, "_store_instance", None)
    database.use_database(None)
    answer = ApiClient(None).get(user=None, headers=DEMO_ADMIN)
    assert (answer.status, answer.body) == (503, UNAVAILABLE)
    [error] = _errors(logs)
    return error


def test_no_connection_string_configured_is_a_503_naming_the_settings(
    monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    error = _the_error_a_request_logs(monkeypatch, logs)
    assert (error["message"], error["status"], error["setting"], error["reason"]) == (
        "database not configured",
        503,
        "MONGODB_URI, MONGODB_SECRET_ARN or MONGODB_URI_PARAMETER",
        "must give one: none is set",
    )
    [request] = [line for line in logs() if line["message"] == "request"]
    assert (request["status"], request["cause"]) == (503, "configuration")


def test_a_secret_holding_no_usable_connection_string_is_a_503_naming_the_secret(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, logs: Logs
) -> None:
    arn = secrets.create_secret(Name="broken", SecretString='{"url": "mongodb://db.example"}')["ARN"]
    error = _the_error_a_request_logs(monkeypatch, logs, secret_arn=arn)
    assert (error["setting"], error["reason"]) == (
        "MONGODB_SECRET_ARN",
        "names a JSON secret without a 'uri' string",
    )


def test_a_function_given_a_connection_string_the_driver_refuses_starts_and_answers_503() -> None:
    # A Lambda init error would answer every request with AWS's own 502; the function starts instead.
    code = (
        "import json; from voip_rooms_local.events import LocalLambdaContext, rest_event; "
        "from voip_rooms.handler import lambda_handler; "
        "headers = {'X-User-Id': 'demo-admin', 'X-Auth-Token': 'demo-admin-token'}; "
        "print(json.dumps(lambda_handler(rest_event('GET', '/api/v1/voip/rooms', headers=headers), "
        "LocalLambdaContext())))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_")}
    finished = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "MONGODB_URI": "mongodb://voip:s3cr3t-db-password@db.example:99999/rocketchat"},
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    lines = [json.loads(line) for line in finished.stdout.splitlines()]
    result = lines[-1]
    assert (result["statusCode"], json.loads(result["body"])) == (503, UNAVAILABLE)
    [error] = [line for line in lines[:-1] if line.get("level") == "ERROR"]
    assert (error["setting"], error["reason"]) == (
        "MONGODB_URI",
        "is not a connection string the driver can use (ValueError)",
    )
    assert "s3cr3t" not in finished.stdout + finished.stderr


@pytest.mark.parametrize(
    "stored", ["S3cr3tPassword", "db.example:27017", " "], ids=["password", "host", "blank"]
)
def test_a_secret_holding_no_connection_string_at_all_is_named_not_waited_on(
    secrets: Any, monkeypatch: pytest.MonkeyPatch, logs: Logs, stored: str
) -> None:
    # The driver would take such a string for a host name and spend the whole budget finding it.
    arn = secrets.create_secret(Name="pasted", SecretString=stored)["ARN"]
    error = _the_error_a_request_logs(monkeypatch, logs, secret_arn=arn)
    assert (error["setting"], error["reason"]) == (
        "MONGODB_SECRET_ARN",
        "is not a connection string: it must start with mongodb:// or mongodb+srv://",
    )
    if stored.strip():
        assert stored not in json.dumps(logs()), "the secret's text is never written"
