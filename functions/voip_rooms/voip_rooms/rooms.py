"""List one page of VoIP rooms: filter, order, projection, page, total and the next page's cursor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voip_rooms.cursor import encode_cursor
from voip_rooms.keyset import listing_order, sort_values
from voip_rooms.paging import page_size, total_from_page
from voip_rooms.params import RoomsParams
from voip_rooms.query import drop_paths, read_plan, room_filter
from voip_rooms.store import RocketChatStore


@dataclass(frozen=True, slots=True)
class RoomsPage:
    """One page's envelope, and how to end it early (see response_size.py)."""

    envelope: dict[str, Any]
    order: list[tuple[str, int]]
    sort_values_of: Callable[[int], list[Any]]

    def first(self, count: int) -> dict[str, Any]:
        """The envelope with only the page's first ``count`` rooms (at least one); its ``next``
        continues right after the last of them, whether or not the full page had one."""
        rooms = self.envelope["rooms"][:count]
        return self.envelope | {"rooms": rooms, "count": count, "next": self.next_after(count)}

    def next_after(self, count: int) -> str:
        """The cursor right after the page's first ``count`` rooms."""
        return encode_cursor(self.sort_values_of(count - 1), self.order)


def list_rooms(rooms: RocketChatStore, params: RoomsParams) -> RoomsPage:
    """The response envelope for one page, in Rocket.Chat's shape, with ``next``.

    One row more than the page is read: it tells, in the same command, whether another page
    follows. A cursor page answers ``total: null``: counting would read every matching room on
    every page, which is the cost a cursor walk exists to avoid.
    """
    query = room_filter(params)
    offset = params.offset or 0
    limit = page_size(params.count)
    order = listing_order(params.sort)
    plan = read_plan(params.fields, tuple(order))
    strip, hidden = plan.strip, plan.hidden
    rows = rooms.find_rooms(query, order, offset, limit + 1, dict(plan.projection))
    page = rows[:limit]
    following = len(rows) > limit
    sort_values_of: Callable[[int], list[Any]] = lambda index: sort_values(page[index], order)  # noqa: E731
    if strip is not None:
        # The strip may remove sort keys the caller did not ask for: each row's are kept beforehand.
        # (Hidden paths are never sort keys, nor below one that a cursor can follow.)
        kept = [sort_values(row, order) for row in page]
        sort_values_of = kept.__getitem__
    next_cursor = encode_cursor(sort_values_of(-1), order) if following else None
    if strip is not None or hidden:
        for row in page:
            if strip is not None:
                strip(row)
            drop_paths(row, hidden)
    total: int | None = None
    if params.after is None:
        total = total_from_page(offset, limit + 1, len(rows))
        if total is None:
            total = rooms.count_rooms(query)
    envelope = {
        "rooms": page,
        "count": len(page),
        "offset": offset,
        "total": total,
        "next": next_cursor,
        "success": True,
    }
    return RoomsPage(envelope, order, sort_values_of)
