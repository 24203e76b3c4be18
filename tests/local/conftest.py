"""Real `voip-rooms serve` processes on free ports, shared by the tests of a module."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bson import json_util

from tests.factories import room
from voip_rooms_local.demo import demo_dataset

Server = tuple[subprocess.Popen[str], str]
# What each server wrote on standard output after its first line, with the thread reading it.
_outputs: dict[int, tuple[list[str], threading.Thread]] = {}


def server_output(process: subprocess.Popen[str]) -> str:
    """Everything the server wrote on standard output after its first line, once it has exited."""
    lines, reader = _outputs[process.pid]
    reader.join(timeout=60)
    return "".join(lines)


def server_printed(process: subprocess.Popen[str], text: str, timeout: float = 60) -> bool:
    """Whether the running server has printed a line that is exactly text (waiting up to timeout)."""
    lines, _ = _outputs[process.pid]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(line.rstrip("\n") == text for line in list(lines)):
            return True
        time.sleep(0.05)
    return False


def _serve(*arguments: str, settings: dict[str, str] | None = None) -> Iterator[Server]:
    executable = shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms"
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"} | (settings or {})
    process = subprocess.Popen(
        [executable, "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", first_line)
    assert match, first_line + (process.stderr.read() if process.stderr else "")
    # The server logs a request line per request: drain it, or a full pipe would stall the server.
    lines: list[str] = []
    reader = threading.Thread(target=lines.extend, args=(process.stdout,), daemon=True)
    reader.start()
    _outputs[process.pid] = (lines, reader)
    yield process, f"http://127.0.0.1:{match.group(1)}"
    if process.poll() is None:
        process.kill()
    process.wait()
    reader.join(timeout=5)
    del _outputs[process.pid]
    process.stdout.close()
    if process.stderr is not None:
        process.stderr.close()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    """Serving the demo dataset."""
    yield from _serve()


@pytest.fixture(scope="module")
def small_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Serving the demo users and permissions with 20 rooms: every layer, little embedded-database work."""
    data = tmp_path_factory.mktemp("small-data")
    dataset = demo_dataset()
    dataset["rocketchat_room"] = dataset["rocketchat_room"][-20:]
    for collection, documents in dataset.items():
        (data / f"{collection}.json").write_text(json_util.dumps(documents))
    yield from _serve("--data", str(data))


@pytest.fixture(scope="module")
def string_visitor_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Serving the demo users and permissions with rooms whose visitor ``v`` is a string, null, or a
    document: a sort by ``v._id`` reads a path through values that are not documents."""
    data = tmp_path_factory.mktemp("string-visitor-data")
    dataset = demo_dataset()
    dataset["rocketchat_room"] = [
        room(_id="string", v="just-a-string"),
        room(_id="null", v=None),
        room(_id="x", v={"_id": "x"}),
        room(_id="a", v={"_id": "a"}),
    ]
    for collection, documents in dataset.items():
        (data / f"{collection}.json").write_text(json_util.dumps(documents))
    yield from _serve("--data", str(data))


@pytest.fixture(scope="module")
def cors_server() -> Iterator[Server]:
    """Serving the demo dataset to browsers on one other origin (CORS_ALLOWED_ORIGINS)."""
    yield from _serve(settings={"CORS_ALLOWED_ORIGINS": "http://localhost:5173"})


@pytest.fixture(scope="module")
def calls_page_off_server() -> Iterator[Server]:
    """Serving the demo dataset without the Calls page (ENABLE_CALLS_PAGE=false)."""
    yield from _serve(settings={"ENABLE_CALLS_PAGE": "false"})
