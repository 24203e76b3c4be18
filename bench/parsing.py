"""Parameter parsing's worst case, run inside the function's runtime with its built code on the path.

Any caller with credentials can send a JSON body of up to MAX_BODY_BYTES; the parser's work must stay
in proportion to it. Each body below fills the limit with what costs the checks most: as many
``fields`` keys as fit (flat, and deep dotted paths sharing their first parts), the most ``agents``
and ``tags`` at the longest length, and a five-key ``sort``. Prints one JSON object: the slowest
body's CPU time (median of its runs) and every body's.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from voip_rooms.params import parse_rooms_params
from voip_rooms.settings import SETTINGS

RUNS = 31


def _fill(make: Callable[[int], dict[str, Any]]) -> str:
    """The largest body ``make(n)`` gives under MAX_BODY_BYTES."""
    low, high = 1, SETTINGS.max_body_bytes
    while low < high:
        middle = (low + high + 1) // 2
        fits = len(json.dumps(make(middle)).encode()) <= SETTINGS.max_body_bytes
        low, high = (middle, high) if fits else (low, middle - 1)
    return json.dumps(make(low))


def _text(n: int, width: int) -> str:
    return f"{n:0{width}d}"


def _deep(n: int) -> str:
    """A dotted path as long as a key may be, sharing its first parts with the others."""
    path = f"v.a.b.c.d.e.{n}"
    while len(path) + 2 <= SETTINGS.max_string_length:
        path += ".x"
    return path


BODIES: dict[str, Callable[[int], dict[str, Any]]] = {
    "fields, flat": lambda n: {"fields": {f"f{i}": 1 for i in range(n)}},
    "fields, deep paths": lambda n: {"fields": {_deep(i): 1 for i in range(n)}},
    "agents and tags, longest": lambda n: {
        key: [_text(i, SETTINGS.max_string_length) for i in range(min(n, SETTINGS.max_array_length))]
        for key in ("agents", "tags")
    },
    "sort, five long keys": lambda n: {
        "sort": {_text(i, SETTINGS.max_string_length): 1 for i in range(5)},
        "roomName": "x" * min(n, SETTINGS.max_string_length),
    },
}


def _cpu_ms(body: str) -> float:
    times = []
    for _ in range(RUNS):
        started = time.thread_time()
        parse_rooms_params(None, body)  # every body here is valid: a refusal fails the bench
        times.append((time.thread_time() - started) * 1000)
    return statistics.median(times)


def main() -> dict[str, Any]:
    costs = {name: _cpu_ms(_fill(make)) for name, make in BODIES.items()}
    worst = max(costs, key=costs.__getitem__)
    return {"worst_body": worst, "worst_ms": costs[worst], "bodies_ms": costs}


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
    print()
