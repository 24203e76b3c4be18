"""A bad setting in the environment stops every `voip-rooms` subcommand with one line naming it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from voip_rooms.settings import Settings

SUBCOMMANDS = [
    ["serve", "--port", "0"],
    ["invoke", "-"],
    ["event"],
    ["indexes", "--dry-run"],
    ["doctor"],
    ["openapi"],
]


def _voip_rooms(arguments: list[str], settings: dict[str, str]) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms"
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | settings
    return subprocess.run(
        [executable, *arguments],
        input="{}",
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def _assert_refused(answer: subprocess.CompletedProcess[str], variable: str) -> None:
    assert answer.returncode == 2
    assert answer.stdout == ""
    lines = answer.stderr.splitlines()
    assert len(lines) == 1, answer.stderr
    assert lines[0].startswith(f"voip-rooms: {variable} ")
    assert "Traceback" not in answer.stderr


@pytest.mark.parametrize("arguments", SUBCOMMANDS, ids=lambda arguments: arguments[0])
def test_every_subcommand_refuses_a_bad_setting_with_exit_2_and_one_line(arguments: list[str]) -> None:
    _assert_refused(_voip_rooms(arguments, {"MONGODB_TIMEOUT_MS": "abc"}), "MONGODB_TIMEOUT_MS")


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MONGODB_TIMEOUT_MS", "abc"),
        ("LOGIN_EXPIRATION_DAYS", "0"),
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("MONGODB_READ_PREFERENCE", "nearby"),
    ],
)
def test_the_line_names_the_bad_variable(variable: str, value: str) -> None:
    _assert_refused(_voip_rooms(["doctor"], {variable: value}), variable)


def test_a_connection_string_pymongo_cannot_parse_is_named_without_quoting_it() -> None:
    answer = _voip_rooms(["doctor"], {"MONGODB_URI": "mongodb://user:s3cr3t-db-password@host:99999/"})
    _assert_refused(answer, "MONGODB_URI")
    assert "s3cr3t" not in answer.stderr


def test_the_function_itself_names_a_setting_that_is_not_a_whole_number(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A Lambda init error says which variable to fix, as the command does.
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "5s")
    with pytest.raises(ValueError, match=r"^MONGODB_TIMEOUT_MS must be a whole number$"):
        Settings.from_env()


@pytest.mark.parametrize(
    "arguments",
    [["serve", "--port", "0"], ["invoke", "-"], ["indexes"], ["doctor"], ["export", "-"]],
    ids=lambda arguments: arguments[0],
)
def test_data_and_a_connection_string_together_are_refused_naming_both(
    arguments: list[str], tmp_path: Path
) -> None:
    # Which database would be read (or, for indexes, written) must never be a guess.
    answer = _voip_rooms([*arguments, "--data", str(tmp_path)], {"MONGODB_URI": "mongodb://127.0.0.1:1/rc"})
    _assert_refused(answer, "--data")
    assert "MONGODB_URI" in answer.stderr
