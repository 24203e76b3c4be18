"""Database commands per warm request, counted at the data seam on the demo database."""

from __future__ import annotations

from typing import Any

from voip_rooms import database, handler
from voip_rooms.store import RocketChatStore
from voip_rooms_local.datasets import embedded_database
from voip_rooms_local.demo import DEMO_USERS, demo_dataset
from voip_rooms_local.events import LocalLambdaContext, rest_event

SEAM = ("find_user_by_token", "roles_by_permission", "find_rooms", "count_rooms")


def measure() -> dict[str, int]:
    """Commands of a warm request whose page tells the total, and of one whose page cannot."""
    admin = DEMO_USERS[0]
    sent: list[str] = []
    originals = {name: getattr(RocketChatStore, name) for name in SEAM}

    def counting(name: str) -> Any:
        def wrapper(self: RocketChatStore, *args: Any) -> Any:
            sent.append(name)
            return originals[name](self, *args)

        return wrapper

    def commands(query: str) -> int:
        sent.clear()
        event = rest_event(
            "GET",
            handler.ROOMS_PATH,
            query_string=query,
            headers={"X-User-Id": admin.user_id, "X-Auth-Token": admin.token},
        )
        assert handler.lambda_handler(event, LocalLambdaContext())["statusCode"] == 200
        return len(sent)

    database.use_database(embedded_database(demo_dataset()))
    try:
        for name in SEAM:
            setattr(RocketChatStore, name, counting(name))
        commands("")  # a warm container: the permissions are cached
        return {"page_tells_total": commands("open=true"), "page_cannot_tell": commands("count=5")}
    finally:
        for name, original in originals.items():
            setattr(RocketChatStore, name, original)
        database.use_database(None)
