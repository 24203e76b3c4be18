"""`voip-rooms invoke` and `voip-rooms event`: the `sam local invoke -e` loop without Docker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import act_as_integration_user
from voip_rooms_local.cli import main
from voip_rooms_local.demo import INTEGRATION_USER_ID

EVENTS = Path(__file__).resolve().parents[2] / "events"


HTTP_EVENTS = sorted(path for path in EVENTS.rglob("*.json") if path.parent.name != "integration")


@pytest.fixture
def integration_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """INTEGRATION_USER_ID=demo-integration, as the process would have read it."""
    act_as_integration_user(monkeypatch)


@pytest.mark.parametrize("path", HTTP_EVENTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invoke_prints_the_result_with_the_recorded_status(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoke", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["statusCode"] == int(path.name.split(".")[-2])


@pytest.mark.usefixtures("integration_user")
@pytest.mark.parametrize("path", sorted((EVENTS / "integration").glob("*.ok.json")), ids=lambda p: p.name)
def test_invoke_prints_an_integration_events_answer_object(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoke", str(path)]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["success"] is True
    assert answer["count"] == json.loads(path.read_text())["parameters"]["count"]


@pytest.mark.usefixtures("integration_user")
def test_invoke_prints_lambdas_error_object_and_exits_1_on_a_function_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["invoke", str(EVENTS / "integration" / "bad-parameter.InvalidParameters.json")]) == 1
    assert json.loads(capsys.readouterr().out) == {
        "errorType": "InvalidParameters",
        "errorMessage": 'The "sort" value of "closedAt" must be 1 or -1. [error-invalid-sort]',
    }


def test_without_integration_user_id_invoke_says_which_setting_is_missing(tmp_path: Path) -> None:
    executable = shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms"
    event = EVENTS / "integration" / "closed-calls-page.ok.json"
    environment = {name: value for name, value in os.environ.items() if name != "INTEGRATION_USER_ID"}
    refused = subprocess.run(
        [executable, "invoke", str(event)], capture_output=True, text=True, check=False, env=environment
    )
    assert refused.returncode == 1
    error = json.loads(refused.stdout)
    assert error["errorType"] == "Unauthorized"
    assert "INTEGRATION_USER_ID" in error["errorMessage"]
    configured = subprocess.run(
        [executable, "invoke", str(event)],
        capture_output=True,
        text=True,
        check=True,
        env=environment | {"INTEGRATION_USER_ID": INTEGRATION_USER_ID},
    )
    assert json.loads(configured.stdout)["count"] == 5
    assert '"front_door":"integration"' in configured.stderr, "the request line, on standard error"


def test_event_prints_an_integration_event_that_invoke_runs(
    integration_user: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["event", "--integration", "--parameters", '{"queue": "billing", "count": 3}']) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == {"operation": "voip.rooms", "parameters": {"queue": "billing", "count": 3}}
    (tmp_path / "event.json").write_text(printed)
    assert main(["invoke", str(tmp_path / "event.json")]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["count"] == 3
    assert {room["queue"] for room in answer["rooms"]} == {"billing"}
    assert main(["event", "--integration"]) == 0
    assert json.loads(capsys.readouterr().out) == {"operation": "voip.rooms", "parameters": {}}


@pytest.mark.parametrize(
    "arguments",
    [
        ["event", "--integration", "--user", "demo-admin"],
        ["event", "--integration", "--front-door", "alb"],
        ["event", "--integration", "--front-door", "rest"],
        ["event", "--integration", "--method", "GET"],
        ["event", "--integration", "--path", "/api/v1/voip/rooms"],
        ["event", "--integration", "--parameters", "[1]"],
        ["event", "--integration", "--parameters", "{nope"],
        ["event", "--parameters", "{}"],
    ],
)
def test_event_refuses_options_that_do_not_go_together_in_one_line(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(arguments) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("voip-rooms: ")


def test_event_and_invoke_compose_through_standard_input_with_logs_on_stderr() -> None:
    executable = shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms"
    event = subprocess.run(
        [
            executable,
            "event",
            "--front-door",
            "url",
            "--user",
            "demo-manager",
            "--token",
            "demo-manager-token",
            "--query",
            "queue=billing&count=3",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    invoked = subprocess.run(
        [executable, "invoke", "-"], input=event, capture_output=True, text=True, check=True
    )
    result = json.loads(invoked.stdout)
    body = json.loads(result["body"])
    assert result["statusCode"] == 200
    assert body["count"] == 3
    assert all(room["queue"] == "billing" for room in body["rooms"])
    refused = subprocess.run(
        [executable, "invoke", "-"],
        input=event.replace("demo-manager-token", "x"),
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(refused.stdout)["statusCode"] == 401
    assert '"status": 401' in refused.stderr or '"status":401' in refused.stderr


@pytest.mark.parametrize("door", ["rest", "http", "url", "alb", "alb-multi"])
def test_event_prints_a_ready_event_for_each_front_door(
    door: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(
            [
                "event",
                "--front-door",
                door,
                "--user",
                "u",
                "--token",
                "t",
                "--query",
                "open=true",
                "--body",
                '{"count": 5}',
            ]
        )
        == 0
    )
    event = json.loads(capsys.readouterr().out)
    assert event["body"] == '{"count": 5}'
    headers = event.get("headers") or {k: v[0] for k, v in event["multiValueHeaders"].items()}
    assert {k.lower(): v for k, v in headers.items()}["x-auth-token"] == "t"


def test_invoke_with_a_bad_event_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "e.json").write_text("{nope")
    assert main(["invoke", str(tmp_path / "e.json")]) == 2
    assert main(["invoke", str(tmp_path / "missing.json")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith("voip-rooms: ") for line in lines)


def test_invoke_uses_the_data_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "rocketchat_room.json").write_text("")
    assert main(["invoke", str(EVENTS / "rest" / "admin-open-rooms.200.json"), "--data", str(tmp_path)]) == 0
    assert json.loads(capsys.readouterr().out)["statusCode"] == 401  # no users in that database
