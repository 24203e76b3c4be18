"""``voip-rooms export`` on the embedded database: its throughput, and its memory against the room count.

Each run is a fresh interpreter (the local runner's) that generates the rooms (the demo's VoIP rooms
repeated with new ids and later dates) straight into the embedded database, then runs the command
itself (``voip-rooms export OUT``, argument parsing to the closed file). Its memory is the export's
own: the high-water mark is reset once the database is loaded (``/proc/self/clear_refs``), and the
peak above the resident size at that moment is what the export added. A walk that held what it had
written, or a page whose size grew with the database, would grow with the count; a flat one does
not. The floor of the throughput is the least any exporter could do with the same database: one
sorted read of every room, each written as JSON (orjson, dates as text), never stopping to page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.artifacts import BUILD, ROOT

COUNTS = (50_000, 200_000)

_SETUP = """
import gc, json, re, time
from datetime import datetime, timedelta
from voip_rooms import database
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.demo import demo_dataset

def status(key):
    return int(re.search(key + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1))

voip = [room for room in demo_dataset()["rocketchat_room"] if room["t"] == "v"]

def generated():
    for number in range({rooms}):
        room = dict(voip[number % len(voip)])
        room["_id"] = f"bench-{{number:07d}}"
        room["ts"] = datetime(2020, 1, 1) + timedelta(seconds=37 * number)
        yield room

db = embedded_database({{"rocketchat_room": generated()}})
gc.collect()
open("/proc/self/clear_refs", "w").write("5")  # the high-water mark from here on: the export's own
before = status("VmRSS")
started, cpu = time.perf_counter(), time.process_time()
"""

PRODUCT = (
    _SETUP
    + """
from voip_rooms_local import cli
database.use_database(db)
cli._choose_database = lambda data: "the generated rooms"
assert cli.main(["export", {out!r}]) == 0
"""
)

FLOOR = (
    _SETUP
    + """
import orjson
with open({out!r}, "wb") as out:
    for room in db["rocketchat_room"].find({{"t": "v"}}, sort=[("ts", 1), ("_id", 1)]):
        out.write(orjson.dumps(room, default=str) + b"\\n")
"""
)

_REPORT = """
wall, cpu = time.perf_counter() - started, time.process_time() - cpu
print(json.dumps({{"wall_s": wall, "cpu_s": cpu, "growth_mb": (status("VmHWM") - before) / 1024,
                  "database_mb": before / 1024}}))
"""


def _run(code: str, rooms: int, out: Path) -> dict[str, float]:
    out.unlink(missing_ok=True)
    finished = subprocess.run(
        [sys.executable, "-c", (code + _REPORT).format(rooms=rooms, out=str(out))],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if finished.returncode != 0:
        raise RuntimeError(finished.stderr[-2000:])
    lines = sum(1 for _ in out.open("rb"))
    if lines != rooms:
        raise RuntimeError(f"{out} holds {lines} rooms, not {rooms}")
    out.unlink()
    result: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result | {"rooms": rooms, "rooms_per_s": rooms / result["wall_s"]}


def measure() -> dict[str, dict[str, float]]:
    directory = BUILD / "export"
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / "calls.jsonl"
    results = {f"product_{rooms}": _run(PRODUCT, rooms, out) for rooms in COUNTS}
    results[f"floor_{COUNTS[0]}"] = _run(FLOOR, COUNTS[0], out)
    return results


if __name__ == "__main__":
    print(json.dumps(measure(), indent=2))
