"""`voip-rooms serve` for the browser tests, and the way they start Debian's Chromium (never a download)."""

from __future__ import annotations

import contextlib
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "e2e-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def serve(*arguments: str) -> tuple[subprocess.Popen[str], str]:
    """A `voip-rooms serve` on a free port (the project's .venv), and its base URL."""
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "voip-rooms"), "serve", "--port", "0", *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert server.stdout is not None
    first_line = server.stdout.readline()
    match = re.search(r"http://127\.0\.0\.1:\d+", first_line)
    if not match:
        server.kill()
        raise SystemExit(f"e2e: the local server did not start: {first_line}")
    # Its request lines: read them, or a full pipe would stall the server.
    threading.Thread(target=server.stdout.read, daemon=True).start()
    return server, match.group(0)


@contextlib.contextmanager
def served(*arguments: str) -> Iterator[str]:
    """A `voip-rooms serve` for the time of a with block: its base URL."""
    server, url = serve(*arguments)
    try:
        yield url
    finally:
        server.kill()
        server.wait()
        if server.stdout is not None:
            server.stdout.close()
