"""A reader that goes away (`voip-rooms doctor | head -1`) ends a command quietly, as it ends any Unix
tool: no traceback, and the status a shell shows for a writer killed by SIGPIPE (141)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize(
    "arguments",
    [
        ["doctor"],
        ["export", "-"],
        # One room: it fails when the command flushes its last write, not while it writes.
        ["export", "--filter", "open=true&queue=emergency&tags[]=refund", "-"],
        ["openapi"],
        ["event"],
    ],
    ids=["doctor", "export", "export-one-room", "openapi", "event"],
)
def test_a_reader_gone_ends_the_command_quietly(arguments: list[str]) -> None:
    executable = shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms"
    env = {name: value for name, value in os.environ.items() if name != "MONGODB_URI"}
    # The reader is gone before the first write: every write fails, however fast the command is.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        ended = subprocess.run(
            [executable, *arguments], stdout=writer, stderr=subprocess.PIPE, env=env, timeout=300, check=False
        )
    finally:
        os.close(writer)
    said = ended.stderr.decode()
    assert ended.returncode == 128 + signal.SIGPIPE, said
    assert all(line.startswith("voip-rooms: ") for line in said.splitlines()), said
    assert "Broken pipe" not in said
