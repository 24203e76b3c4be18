"""List one page of VoIP rooms: filter, order, projection, page and total."""

from __future__ import annotations

from typing import Any

from voip_rooms.paging import page_size, total_from_page
from voip_rooms.params import RoomsParams
from voip_rooms.query import includes_visitor_token, projection, room_filter, sort_order
from voip_rooms.store import RocketChatStore


def list_rooms(rooms: RocketChatStore, params: RoomsParams) -> dict[str, Any]:
    """The response envelope for one page, in Rocket.Chat's shape."""
    query = room_filter(params)
    offset = params.offset or 0
    limit = page_size(params.count)
    fields = projection(params)
    page = rooms.find_rooms(query, sort_order(params), offset, limit, fields)
    if includes_visitor_token(fields):
        for room in page:
            _drop_visitor_token(room)
    total = total_from_page(offset, limit, len(page))
    if total is None:
        total = rooms.count_rooms(query)
    return {"rooms": page, "count": len(page), "offset": offset, "total": total, "success": True}


def _drop_visitor_token(room: dict[str, Any]) -> None:
    visitor = room.get("v")
    if isinstance(visitor, dict):
        visitor.pop("token", None)
