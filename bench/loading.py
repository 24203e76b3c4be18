"""Loading a dump: a generated mongodump (--gzip) of 50,000 VoIP rooms loads and serves its first page.

The product is ``voip-rooms``' own path: ``load_directory`` (streamed decoding, the answer-schema
survey, batched inserts) and one request through ``lambda_handler``. The floor is the least any
loader could do with the same file: decode it with ``bson.decode_file_iter``, insert the documents
into mongomock in the same batches, and read the first page from mongomock directly. Each runs in
a fresh interpreter (the local runner's, since mongomock and pydantic are not the function's),
alternately; CPU time is compared (wall time is reported too), and the peak is the child's VmHWM.
"""

from __future__ import annotations

import gzip
import json
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import bson

from bench.artifacts import BUILD, ROOT
from voip_rooms_local.demo import DEMO_USERS, demo_dataset

ROOMS = 50_000

PRODUCT = """
import time
from pathlib import Path
from voip_rooms import database
from voip_rooms_local.datasets import load_directory
from voip_rooms_local.events import LocalLambdaContext, rest_event
from voip_rooms.handler import lambda_handler
loaded = load_directory(Path({dump!r}))
database.use_database(loaded.database)
headers = {{"X-User-Id": {user!r}, "X-Auth-Token": {token!r}}}
result = lambda_handler(rest_event("GET", "/api/v1/voip/rooms", headers=headers), LocalLambdaContext())
assert result["statusCode"] == 200 and '"total":{rooms}' in result["body"], result["body"][-200:]
print(time.process_time(), open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""

FLOOR = """
import gzip, time, mongomock
from bson import decode_file_iter
database = mongomock.MongoClient()["rocketchat"]
for name in ("users", "rocketchat_permissions", "rocketchat_room"):
    batch = []
    with gzip.open({dump!r} + "/" + name + ".bson.gz", "rb") as stream:
        for document in decode_file_iter(stream):
            batch.append(document)
            if len(batch) == 1000:
                database[name].insert_many(batch)
                batch = []
    if batch:
        database[name].insert_many(batch)
page = list(database["rocketchat_room"].find({{"t": "v"}}, sort=[("ts", -1), ("_id", -1)], limit=50))
assert len(page) == 50
print(time.process_time(), open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""


def generated_dump(directory: Path) -> Path:
    """The demo's users and permissions, and its VoIP rooms repeated (new ids, later dates) to 50,000."""
    dump = directory / "dump" / "rocketchat"
    dump.mkdir(parents=True, exist_ok=True)
    data = demo_dataset()
    # Login tokens are dated now: users are written every time, the rooms once.
    for name in ("users", "rocketchat_permissions"):
        with gzip.open(dump / f"{name}.bson.gz", "wb") as stream:
            for document in data[name]:
                stream.write(bson.encode(document))
    stamp = dump / f"rooms-{ROOMS}.done"
    if not stamp.exists():
        voip = [room for room in data["rocketchat_room"] if room["t"] == "v"]
        with gzip.open(dump / "rocketchat_room.bson.gz", "wb") as rooms:
            for number in range(ROOMS):
                room = dict(voip[number % len(voip)])
                room["_id"] = f"bench-{number:07d}"
                room["ts"] = room["ts"] + timedelta(seconds=number)
                rooms.write(bson.encode(room))
        stamp.touch()
    return dump.parent


def _run(code: str) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and peak resident kilobytes of a fresh interpreter running code."""
    started = time.perf_counter()
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT
    )
    elapsed = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(finished.stderr[-2000:])
    cpu, peak = finished.stdout.strip().splitlines()[-1].split()
    return elapsed, float(cpu), int(peak)


def measure(runs: int = 3) -> dict[str, float]:
    dump = generated_dump(BUILD / "loading")
    user = DEMO_USERS[0]
    product = PRODUCT.format(dump=str(dump), user=user.user_id, token=user.token, rooms=ROOMS)
    floor = FLOOR.format(dump=str(dump / "rocketchat"))
    product_runs, floor_runs = [], []
    for _ in range(runs):
        product_runs.append(_run(product))
        floor_runs.append(_run(floor))

    def median(runs: list[tuple[float, float, int]], field: int) -> float:
        return statistics.median(run[field] for run in runs)

    return {
        "rooms": ROOMS,
        "dump_mb": sum(f.stat().st_size for f in (dump / "rocketchat").glob("*.bson.gz")) / 1e6,
        "product_wall_s": median(product_runs, 0),
        "floor_wall_s": median(floor_runs, 0),
        "product_cpu_s": median(product_runs, 1),
        "floor_cpu_s": median(floor_runs, 1),
        "product_peak_mb": median(product_runs, 2) / 1024,
        "floor_peak_mb": median(floor_runs, 2) / 1024,
    }


if __name__ == "__main__":
    print(json.dumps(measure()))
