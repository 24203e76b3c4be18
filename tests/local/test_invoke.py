"""`voip-rooms invoke` and `voip-rooms event`: the `sam local invoke -e` loop without Docker."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voip_rooms_local.cli import main

EVENTS = Path(__file__).resolve().parents[2] / "events"


@pytest.mark.parametrize("path", sorted(EVENTS.rglob("*.json")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_invoke_prints_the_result_with_the_recorded_status(
    path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoke", str(path)]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["statusCode"] == int(path.name.split(".")[-2])


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
