"""Warm request work, run inside the function's runtime with its built code and layer on the path.

The handler answers a page of 50 realistic rooms with the data seam returning documents already
fetched; the floor is orjson's own dump of the same page (native datetimes, microseconds). The
handler runs as deployed, writing its request line (to /dev/null: a real write per request), and
again with the line switched off (the data path alone: the bench replaces the line's writer, which
the function writes at every log level).

Steady on a busy machine: batches of the three alternate, each timed by this thread's CPU time (time
another process takes from it is not counted), and each batch of the handler is divided by the
floor's batch beside it, so that what slows the machine between batches cancels out. The ratios
reported are the medians of those per-batch ratios, with the spread (10th to 90th percentile).
Prints one JSON object.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import statistics
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson
from aws_lambda_powertools.utilities.typing import LambdaContext

from bench.page import documented_room
from voip_rooms import database, handler, listing, request_log
from voip_rooms.store import RocketChatStore

PAGE = 50
CONTRACT_DATE = re.compile(r'"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"')


class _AnyCollection:
    """What the data seam's constructor asks of a database; the patched seam never uses it."""

    def get_collection(self, name: str, read_preference: Any = None) -> None:
        return None


def _prefetched_store(user: dict[str, Any], stored: list[dict[str, Any]]) -> type[RocketChatStore]:
    """The data seam, answering every command with documents already fetched."""

    class PrefetchedStore(RocketChatStore):
        def find_user_by_token(self, user_id: str, hashed_token: str) -> dict[str, Any] | None:
            return user

        def find_user_by_id(self, user_id: str) -> dict[str, Any] | None:
            return user

        def roles_by_permission(self, permission_ids: Sequence[str]) -> Mapping[str, frozenset[str]]:
            return {"view-livechat-rooms": frozenset({"admin"})}

        def find_rooms(
            self, query: Any, sort: Any, skip: int, limit: int, projection: Mapping[str, int]
        ) -> list[dict[str, Any]]:
            return stored[:limit]

        def count_rooms(self, query: Any) -> int:
            return 320

    return PrefetchedStore


def _no_line(logger: Any, status: int) -> None:
    """The request line's writer, switched off."""


def _dates(value: Any) -> int:
    if isinstance(value, dict):
        return sum(_dates(v) for v in value.values())
    if isinstance(value, list):
        return sum(_dates(v) for v in value)
    return int(isinstance(value, datetime))


def main(batches: int) -> dict[str, float]:
    # One room more than the page: a page in the middle of a walk, which answers a next cursor.
    stored = [documented_room(n) for n in range(PAGE + 1)]
    rooms = stored[:PAGE]
    hashed = base64.b64encode(hashlib.sha256(b"bench-token").digest()).decode()
    user = {
        "_id": "bench-admin",
        "username": "bench.admin",
        "roles": ["admin"],
        "active": True,
        "services": {"resume": {"loginTokens": [{"hashedToken": hashed, "when": datetime.now()}]}},
    }
    # The name the listing looks up; setattr, because listing does not export it.
    setattr(listing, "RocketChatStore", _prefetched_store(user, stored))  # noqa: B010
    database.use_database(_AnyCollection())  # type: ignore[arg-type]

    event = {
        "resource": "/api/v1/voip/rooms",
        "path": "/api/v1/voip/rooms",
        "httpMethod": "GET",
        "headers": {"X-User-Id": "bench-admin", "X-Auth-Token": "bench-token"},
        "multiValueHeaders": {"X-User-Id": ["bench-admin"], "X-Auth-Token": ["bench-token"]},
        "queryStringParameters": {"count": "50"},
        "multiValueQueryStringParameters": {"count": ["50"]},
        "requestContext": {
            "requestId": "bench",
            "stage": "prod",
            "path": "/prod/api/v1/voip/rooms",
            "resourcePath": "/api/v1/voip/rooms",
            "httpMethod": "GET",
            "identity": {},
        },
        "body": None,
        "isBase64Encoded": False,
    }

    context = LambdaContext()
    context._function_name, context._function_version, context._memory_limit_in_mb = (
        "voip-rooms",
        "$LATEST",
        512,
    )
    context._invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:voip-rooms"
    context._aws_request_id = "bench"
    log_handler: Any = handler.logger.registered_handler
    log_handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 - for the whole run
    body = handler.lambda_handler(event, context)["body"]
    assert json.loads(body)["count"] == PAGE
    assert json.loads(body)["next"], "a page with a next cursor"
    assert len(CONTRACT_DATE.findall(body)) == _dates(rooms), "every date in the contract's form"
    envelope = {"rooms": rooms, "count": PAGE, "offset": 0, "total": 320, "success": True}
    # The same page as an integration event (INTEGRATION_USER_ID=bench-admin, set by bench/__main__.py).
    integration_event = {"operation": "voip.rooms", "parameters": {"count": PAGE}}
    assert json.loads(handler.lambda_handler(integration_event, context)) == json.loads(body), (
        "the same answer"
    )

    calls, product, quiet, floor, integration = 10, [], [], [], []
    rest_written, integration_written = [], []
    emit = request_log.emit
    for _ in range(batches):
        started = time.thread_time()
        for _ in range(calls):
            handler.lambda_handler(event, context)
        product.append((time.thread_time() - started) / calls)
        started = time.thread_time()
        for _ in range(calls):
            handler.lambda_handler(integration_event, context)
        integration.append((time.thread_time() - started) / calls)
        # With the result as Lambda's runtime sends it: a dict written as JSON, bytes as they are.
        started = time.thread_time()
        for _ in range(calls):
            _written(handler.lambda_handler(event, context))
        rest_written.append((time.thread_time() - started) / calls)
        started = time.thread_time()
        for _ in range(calls):
            _written(handler.lambda_handler(integration_event, context))
        integration_written.append((time.thread_time() - started) / calls)
        setattr(request_log, "emit", _no_line)  # noqa: B010 - the function has no switch for it
        started = time.thread_time()
        for _ in range(calls):
            handler.lambda_handler(event, context)
        quiet.append((time.thread_time() - started) / calls)
        setattr(request_log, "emit", emit)  # noqa: B010
        started = time.thread_time()
        for _ in range(calls):
            orjson.dumps(envelope)
        floor.append((time.thread_time() - started) / calls)
    return {
        "product_us": statistics.median(product) * 1e6,
        "quiet_us": statistics.median(quiet) * 1e6,
        "floor_us": statistics.median(floor) * 1e6,
        **_ratios("product", product, floor),
        **_ratios("quiet", quiet, floor),
        "integration_us": statistics.median(integration) * 1e6,
        # Against the REST request's batch beside each: the integration path's budget.
        **_ratios("integration", integration, product),
        "rest_written_us": statistics.median(rest_written) * 1e6,
        "integration_written_us": statistics.median(integration_written) * 1e6,
        **_ratios("integration_written", integration_written, rest_written),
        "page_bytes": len(body),
        "dates_per_page": _dates(rooms),
    }


def _written(result: Any) -> bytes:
    """What Lambda's Python runtime posts for a handler's result (awslambdaric's marshaller: bytes as
    they are, anything else written as JSON; json stands in for the runtime's simplejson)."""
    return result if isinstance(result, bytes) else json.dumps(result).encode()


def _ratios(name: str, measured: list[float], floor: list[float]) -> dict[str, float]:
    """The median of the per-batch ratios to the floor's batch beside each, and their spread."""
    ratios = sorted(value / base for value, base in zip(measured, floor, strict=True))
    deciles = statistics.quantiles(ratios, n=10)
    return {f"{name}_ratio": statistics.median(ratios), f"{name}_p10": deciles[0], f"{name}_p90": deciles[-1]}


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]))))
