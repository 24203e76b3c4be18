"""Translate validated parameters into a MongoDB filter, sort and projection.

Every value placed in a filter here is a validated str, bool or datetime: no caller-supplied
mapping ever reaches the database, so operators cannot be injected.
"""

from __future__ import annotations

import re
from typing import Any

from voip_rooms.params import DateRange, RoomsParams

VOIP_ROOM_TYPE = "v"
DEFAULT_SORT: tuple[tuple[str, int], ...] = (("ts", -1),)
# Never returned, whatever "fields" asks for: Rocket.Chat hides the first four from its REST API;
# the visitor's token lets whoever holds it act as the visitor in Rocket.Chat's livechat API.
VISITOR_TOKEN = "v.token"  # noqa: S105 - a field path, not a secret
HIDDEN_FIELDS = ("joinCode", "members", "importIds", "e2e", VISITOR_TOKEN)


def room_filter(params: RoomsParams) -> dict[str, Any]:
    conditions: dict[str, Any] = {"t": VOIP_ROOM_TYPE}
    if params.agents is not None:
        conditions["servedBy._id"] = {"$in": list(params.agents)}
    if params.open is True:
        conditions["open"] = True
    elif params.open is False:
        # Closing a call removes the field rather than setting it to false.
        conditions["open"] = {"$ne": True}
    _add_range(conditions, "ts", params.created_at)
    _add_range(conditions, "closedAt", params.closed_at)
    if params.tags is not None:
        conditions["tags"] = {"$in": list(params.tags)}
    if params.queue is not None:
        conditions["queue"] = params.queue
    if params.visitor_id is not None:
        conditions["v._id"] = params.visitor_id
    if params.direction is not None:
        conditions["direction"] = params.direction
    if params.room_name is not None:
        conditions["name"] = {"$regex": re.escape(params.room_name), "$options": "i"}
    return conditions


def _add_range(conditions: dict[str, Any], field: str, bounds: DateRange | None) -> None:
    if bounds is None:
        return
    condition: dict[str, Any] = {}
    if bounds.start is not None:
        condition["$gte"] = bounds.start
    if bounds.end is not None:
        condition["$lte"] = bounds.end
    if condition:
        conditions[field] = condition


def sort_order(params: RoomsParams) -> list[tuple[str, int]]:
    """The requested order, with ``_id`` last so that equal keys still page stably."""
    order = list(params.sort or DEFAULT_SORT)
    if all(key != "_id" for key, _ in order):
        order.append(("_id", order[0][1]))
    return order


def projection(params: RoomsParams) -> dict[str, int]:
    """The MongoDB projection. An inclusion of ``v`` still returns ``v.token`` (MongoDB refuses to
    mix inclusion and exclusion): rooms.py removes it from such a page."""
    requested = dict(params.fields or ())
    visible = {key: flag for key, flag in requested.items() if not _is_hidden(key)}
    if _includes(requested):
        # Asking only for hidden fields leaves just the ids to return.
        return visible if _includes(visible) else {"_id": 1}
    # A hidden path under an excluded parent ({"v": 0}) is excluded already; naming it too would
    # be a path collision, which MongoDB refuses.
    hidden = {path: 0 for path in HIDDEN_FIELDS if not any(_within(path, key) for key in visible)}
    return {**visible, **hidden}


def includes_visitor_token(fields: dict[str, int]) -> bool:
    """Whether MongoDB returns ``v.token`` with this projection: only an inclusion of all of ``v``,
    since an inclusion cannot also exclude a path beneath it."""
    return fields.get("v") == 1


def _includes(spec: dict[str, int]) -> bool:
    return spec == {"_id": 1} or any(flag == 1 for key, flag in spec.items() if key != "_id")


def _is_hidden(path: str) -> bool:
    return any(_within(path, hidden) for hidden in HIDDEN_FIELDS)


def _within(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent + ".")
