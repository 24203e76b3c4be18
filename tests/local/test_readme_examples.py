"""Every `$ curl` line in the README, sent to a real `voip-rooms serve`, answers what the README shows."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
ELIDED = "…"


def _examples() -> list[tuple[str, str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    return [(line[2:], lines[i + 1]) for i, line in enumerate(lines) if line.startswith("$ curl ")]


def _run_curl(command: str, base_url: str) -> str:
    """Perform a README curl command (the flags it uses: -s -g -X -H -d) against base_url."""
    args = shlex.split(command)[1:]
    method, headers, data, url = None, {}, None, ""
    while args:
        arg = args.pop(0)
        if arg == "-X":
            method = args.pop(0)
        elif arg == "-H":
            name, _, value = args.pop(0).partition(":")
            headers[name.strip()] = value.strip()
        elif arg == "-d":
            data = args.pop(0).encode()
        elif arg in ("-s", "-g"):
            continue
        else:
            assert arg.startswith("http://localhost:3000/"), f"unexpected curl argument {arg!r}"
            url = base_url + arg.removeprefix("http://localhost:3000")
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    path, _, query = url.partition("?")
    request = urllib.request.Request(
        path + ("?" + urllib.parse.quote(query, safe="=&") if query else ""),
        data=data,
        headers=headers,
        method=method or ("POST" if data is not None else "GET"),
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return str(response.read().decode())
    except HTTPError as error:
        return str(error.read().decode())


def test_the_readme_has_the_documented_examples() -> None:
    commands = [command for command, _ in _examples()]
    assert len(commands) >= 5
    assert any("http://localhost:3000/api//v1/voip/rooms -d '{\"open\": true }'" in c for c in commands)


@pytest.mark.parametrize(("command", "shown"), _examples())
def test_readme_curl_example_answers_as_shown(
    server: tuple[subprocess.Popen[str], str], command: str, shown: str
) -> None:
    _, base_url = server
    answer = _run_curl(command, base_url)
    if shown.endswith(ELIDED):
        assert answer.startswith(shown.removesuffix(ELIDED))
    else:
        assert answer == shown


def _shell_walk() -> str:
    """The README's curl-and-jq loop that follows ``next``."""
    text = README.read_text(encoding="utf-8")
    start = text.index("url='http://localhost:3000/api/v1/voip/rooms?")
    return text[start : text.index("\ndone\n", start) + len("\ndone\n")]


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("jq")), reason="needs curl and jq")
def test_the_readmes_shell_walk_ends_on_rooms_whose_sort_path_crosses_a_string(
    string_visitor_server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base_url = string_visitor_server
    script = _shell_walk().replace("http://localhost:3000", base_url)
    script = script.replace("open=false&count=100", "count=1&sort=%7B%22v._id%22%3A1%7D")
    walked = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300, check=True)
    assert [json.loads(line)["_id"] for line in walked.stdout.splitlines()] == ["null", "string", "a", "x"]
