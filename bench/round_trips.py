"""Database commands per warm request, counted at the data seam on the demo database."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from voip_rooms import database, handler
from voip_rooms.store import RocketChatStore
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.demo import DEMO_USERS, demo_dataset
from voip_rooms_local.events import LocalLambdaContext, rest_event

SEAM = ("find_user_by_token", "roles_by_permission", "find_rooms", "count_rooms")


def measure() -> dict[str, int]:
    """Commands of a warm request whose page tells the total, of one whose page cannot (a deep offset
    page: find with skip, then count), and of a cursor page (one find, no skip, no count)."""
    admin = DEMO_USERS[0]
    sent: list[str] = []
    originals = {name: getattr(RocketChatStore, name) for name in SEAM}

    def counting(name: str) -> Any:
        def wrapper(self: RocketChatStore, *args: Any) -> Any:
            sent.append(name)
            return originals[name](self, *args)

        return wrapper

    def commands(query: str) -> tuple[int, Any]:
        sent.clear()
        event = rest_event(
            "GET",
            handler.ROOMS_PATH,
            query_string=query,
            headers={"X-User-Id": admin.user_id, "X-Auth-Token": admin.token},
        )
        result = handler.lambda_handler(event, LocalLambdaContext())
        assert result["statusCode"] == 200
        return len(sent), json.loads(result["body"])

    database.use_database(embedded_database(demo_dataset()))
    try:
        for name in SEAM:
            setattr(RocketChatStore, name, counting(name))
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
        for name, original in originals.items():
            setattr(RocketChatStore, name, original)
        database.use_database(None)
