"""A real `voip-rooms serve` process on a free port, shared by the tests of this folder."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[subprocess.Popen[str], str]]:
    executable = shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms"
    env = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
    process = subprocess.Popen(
        [executable, "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:(\d+)", first_line)
    assert match, first_line + (process.stderr.read() if process.stderr else "")
    yield process, f"http://127.0.0.1:{match.group(1)}"
    if process.poll() is None:
        process.kill()
    process.communicate()  # reaps the process and closes its pipes
