"""Database commands per warm request, as the request line counts them at the data seam (demo database)."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

from voip_rooms import database, handler
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.demo import DEMO_USERS, demo_dataset
from voip_rooms_local.events import LocalLambdaContext, rest_event


def measure() -> dict[str, int]:
    """Commands of a warm request whose page tells the total, of one whose page cannot (a deep offset
    page: find with skip, then count), and of a cursor page (one find, no skip, no count)."""
    admin = DEMO_USERS[0]
    lines = io.StringIO()
    log_handler: Any = handler.logger.registered_handler

    def commands(query: str) -> tuple[int, Any]:
        event = rest_event(
            "GET",
            handler.ROOMS_PATH,
            query_string=query,
            headers={"X-User-Id": admin.user_id, "X-Auth-Token": admin.token},
        )
        result = handler.lambda_handler(event, LocalLambdaContext())
        assert result["statusCode"] == 200
        request_line = json.loads(lines.getvalue().splitlines()[-1])
        assert request_line["message"] == "request"
        return int(request_line["database_commands"]), json.loads(result["body"])

    database.use_database(embedded_database(demo_dataset()))
    previous = log_handler.setStream(lines)
    try:
        commands("")  # a warm container: the permissions are cached
        page_tells_total, _ = commands("open=true")
        page_cannot_tell, first = commands("count=5")
        deep_offset_page, _ = commands("count=5&offset=250")
        cursor_page, _ = commands(f"count=5&after={quote(first['next'])}")
        return {
            "page_tells_total": page_tells_total,
            "page_cannot_tell": page_cannot_tell,
            "offset_page": deep_offset_page,
            "cursor_page": cursor_page,
        }
    finally:
        log_handler.setStream(previous)
        database.use_database(None)
