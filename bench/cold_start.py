"""Cold start: a fresh interpreter importing the handler as Lambda does, answering one 401.

The floor imports json, hashlib and pymongo, builds MongoClient(connect=False) and returns a dict.
Both run isolated (-I), from the same layer directory, with bytecode writing off (Lambda's file
system is read-only), alternately, so that machine noise hits both alike.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path

FLOOR = """
import sys; sys.path[:0] = [{layer!r}]
import json, hashlib, pymongo
client = pymongo.MongoClient(connect=False)
result = {{"statusCode": 401, "body": json.dumps({{"success": False}})}}
print(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""

PRODUCT = """
import os, sys; sys.path[:0] = [{function!r}, {layer!r}]
# What the Lambda runtime provides after the layers (botocore), where a variant needs it.
sys.path += [os.environ["RUNTIME_PATH"]] if "RUNTIME_PATH" in os.environ else []
from voip_rooms.handler import lambda_handler

class Context:
    function_name, function_version, memory_limit_in_mb = "voip-rooms", "$LATEST", 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:voip-rooms"
    aws_request_id = "bench"

event = {{"resource": "/api/v1/voip/rooms", "path": "/api/v1/voip/rooms", "httpMethod": "GET",
         "headers": None, "multiValueHeaders": None,
         "queryStringParameters": None, "multiValueQueryStringParameters": None,
         "requestContext": {{"requestId": "bench", "stage": "prod", "path": "/prod/api/v1/voip/rooms",
                            "resourcePath": "/api/v1/voip/rooms", "httpMethod": "GET", "identity": {{}}}},
         "body": None, "isBase64Encoded": False}}
result = lambda_handler(event, Context())
assert result["statusCode"] == 401, result
print(open("/proc/self/status").read().split("VmHWM:")[1].split()[0])
"""


def _run(python: str, code: str, settings: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident kilobytes of one fresh interpreter running code.

    The peak is the child's own VmHWM, which exec resets (ru_maxrss would carry over the forking
    parent's peak); reading it is the last thing each run does, in both scripts alike.
    """
    env = {
        "PYTHONDONTWRITEBYTECODE": "1",
        "MONGODB_URI": "mongodb://127.0.0.1:27017",
        "POWERTOOLS_SERVICE_NAME": "voip-rooms",
        "PATH": os.environ.get("PATH", ""),
        **(settings or {}),
    }
    started = time.perf_counter()
    finished = subprocess.run(
        [python, "-I", "-c", code], env=env, capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if finished.returncode != 0:
        raise RuntimeError(f"cold-start run failed ({finished.returncode}): {finished.stderr[-500:]}")
    return elapsed, int(finished.stdout.split()[-1])


def measure(
    python: str, function_dir: Path, layer_dir: Path, runs: int, variants: dict[str, dict[str, str]]
) -> dict[str, float]:
    """The floor and the product, and the product again under each variant's settings, alternately.

    Medians: floor_ms, product_ms, floor_rss_mb, product_rss_mb, and <variant>_ms per variant.
    """
    floor_code = FLOOR.format(layer=str(layer_dir))
    product_code = PRODUCT.format(function=str(function_dir), layer=str(layer_dir))
    _run(python, floor_code), _run(python, product_code)  # warm the page cache for both
    for settings in variants.values():
        _run(python, product_code, settings)
    floor, product = [], []
    timed: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(runs):
        floor.append(_run(python, floor_code))
        product.append(_run(python, product_code))
        for name, settings in variants.items():
            timed[name].append(_run(python, product_code, settings)[0])
    return {
        "floor_ms": statistics.median(t for t, _ in floor) * 1000,
        "product_ms": statistics.median(t for t, _ in product) * 1000,
        "floor_rss_mb": statistics.median(m for _, m in floor) / 1024,
        "product_rss_mb": statistics.median(m for _, m in product) / 1024,
        **{f"{name}_ms": statistics.median(times) * 1000 for name, times in timed.items()},
    }
