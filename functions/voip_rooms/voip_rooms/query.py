"""Translate validated parameters into a MongoDB filter, sort and projection.

Every value placed in a filter here is a validated str, bool or datetime: no caller-supplied
mapping ever reaches the database, so operators cannot be injected.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from voip_rooms.keyset import after_branches, listing_order
from voip_rooms.params import DateRange, FieldSpec, RoomsParams
from voip_rooms.room_fields import HIDDEN_FIELDS, is_hidden, within

VOIP_ROOM_TYPE = "v"
# A fields of more paths than this is rare and large: its read plan is not kept (see read_plan).
CACHED_FIELDS_AT_MOST = 64
# Turns a row read with a wider projection into the row the caller asked for, in place.
Strip = Callable[[dict[str, Any]], None]


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
    if params.after is not None:
        conditions["$or"] = after_branches(listing_order(params.sort), params.after)
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


def projection(fields: FieldSpec | None) -> dict[str, int]:
    """The MongoDB projection of the caller's ``fields``. An inclusion of ``v`` still returns
    ``v.token`` (MongoDB refuses to mix inclusion and exclusion): rooms.py removes it from such a page
    (``hidden_paths_read``)."""
    requested = dict(fields or ())
    visible = {key: flag for key, flag in requested.items() if not is_hidden(key)}
    if _includes(requested):
        # Asking only for hidden fields leaves just the ids to return.
        return visible if _includes(visible) else {"_id": 1}
    # A hidden path under an excluded parent ({"v": 0}) is excluded already; naming it too would
    # be a path collision, which MongoDB refuses.
    hidden = {path: 0 for path in HIDDEN_FIELDS if not any(within(path, key) for key in visible)}
    return {**visible, **hidden}


def hidden_paths_read(fields: dict[str, int]) -> list[str]:
    """The hidden paths MongoDB returns with this projection: those below a parent included whole
    (``v`` brings ``v.token``), since an inclusion cannot also exclude a path beneath it."""
    included = [key for key, flag in fields.items() if flag == 1]
    return [hidden for hidden in HIDDEN_FIELDS if any(within(hidden, key) for key in included)]


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """How a page is read for the caller's ``fields`` and order: the projection to read with, what to
    strip from each row afterwards (None: the rows are what the caller sees), and the hidden paths
    that projection still reads (removed from the page too)."""

    projection: Mapping[str, int]
    strip: Strip | None
    hidden: tuple[str, ...]


def read_plan(fields: FieldSpec | None, order: tuple[tuple[str, int], ...]) -> ReadPlan:
    """The read plan of a ``fields`` and an order, worked out once per container for each pair of the
    usual size (a page's own work is then only the rows'); a ``fields`` of more paths than
    CACHED_FIELDS_AT_MOST is worked out for its request only, so no caller can fill a container's
    memory with plans. Its projection is never changed by a read."""
    if fields is not None and len(fields) > CACHED_FIELDS_AT_MOST:
        return _plan(fields, order)
    return _cached_plan(fields, order)


def _plan(fields: FieldSpec | None, order: tuple[tuple[str, int], ...]) -> ReadPlan:
    read_with, strip = fetched_projection(fields, order)
    return ReadPlan(MappingProxyType(read_with), strip, tuple(hidden_paths_read(read_with)))


_cached_plan = functools.lru_cache(maxsize=256)(_plan)


def fetched_projection(
    fields: FieldSpec | None, order: Sequence[tuple[str, int]]
) -> tuple[dict[str, int], Strip | None]:
    """The projection to read with, so that the last row tells its sort values, and what to strip after.

    The strip, when one is needed, turns a row read with the wider projection into the row the
    caller's ``fields`` asked for; without one, the rows are already what the caller sees.
    """
    shown = projection(fields)
    if fields is None:
        return shown, None  # only hidden fields are left out, and a cursor never follows one
    needed = [field for field, _ in order]
    if _includes(shown):
        missing = [path for path in needed if not _included(path, shown)]
        if not missing:
            return shown, None
        wider = {key: flag for key, flag in shown.items() if flag and not _under_any(key, missing)}
        kept = _inclusion(shown, keeps_id=shown.get("_id", 1) == 1)
        return wider | dict.fromkeys(missing, 1), lambda row: _keep_only(row, kept)
    # An exclusion of a sort key or of a parent of one; one below a sort key only trims an embedded
    # document, which a cursor cannot follow anyway.
    excluded = [key for key, flag in shown.items() if not flag and any(within(path, key) for path in needed)]
    if not excluded:
        return shown, None
    wider = {key: flag for key, flag in shown.items() if key not in excluded}
    return wider, lambda row: drop_paths(row, excluded)


def _included(path: str, spec: dict[str, int]) -> bool:
    if path == "_id":
        return spec.get("_id", 1) == 1
    return any(flag == 1 and within(path, key) for key, flag in spec.items())


def _under_any(key: str, paths: list[str]) -> bool:
    """Whether ``key`` is one of ``paths`` or below one."""
    return any(within(key, path) for path in paths)


@dataclass(frozen=True, slots=True)
class _Inclusion:
    """An inclusion projection as a tree, worked out once for all the rows of a page: the fields kept
    whole, the fields kept in part (each by its own tree), and whether ``_id`` is kept."""

    whole: frozenset[str]
    below: Mapping[str, _Inclusion]
    keeps_id: bool


def _inclusion(spec: Mapping[str, int], *, keeps_id: bool) -> _Inclusion:
    whole: set[str] = set()
    nested: dict[str, dict[str, int]] = {}
    for key, flag in spec.items():
        if flag:
            head, dot, rest = key.partition(".")
            if dot:
                nested.setdefault(head, {})[rest] = flag
            else:
                whole.add(key)
    # Below the top, an embedded _id is kept only when named (MongoDB's rule): keeps_id is False there.
    below = {head: _inclusion(paths, keeps_id=False) for head, paths in nested.items()}
    return _Inclusion(frozenset(whole), below, keeps_id)


def _keep_only(document: dict[str, Any], inclusion: _Inclusion) -> None:
    """Reduce a row in place to an inclusion projection, as MongoDB applies one."""
    for key in list(document):
        if key in inclusion.whole or (key == "_id" and inclusion.keeps_id):
            continue
        below = inclusion.below.get(key)
        kept = _kept_below(document[key], below) if below is not None else None
        if kept is None:
            del document[key]
        else:
            document[key] = kept


def _kept_below(value: Any, inclusion: _Inclusion) -> Any:
    """What an inclusion of paths below a field keeps of its value: an embedded document reduced, an
    array element by element (nested arrays too, other elements dropped); None for anything else."""
    if isinstance(value, dict):
        _keep_only(value, inclusion)
        return value
    if isinstance(value, list):
        return [kept for kept in (_kept_below(item, inclusion) for item in value) if kept is not None]
    return None


def drop_paths(document: dict[str, Any], paths: Sequence[str]) -> None:
    """Remove each dotted path in place, as a MongoDB exclusion does: through embedded documents and
    within every element of an array along the way (nested arrays too)."""
    for path in paths:
        _drop(document, path.split("."))


def _drop(value: Any, parts: list[str]) -> None:
    if isinstance(value, list):
        for item in value:
            _drop(item, parts)
    elif isinstance(value, dict):
        head, *rest = parts
        if rest:
            _drop(value.get(head), rest)
        else:
            value.pop(head, None)


def _includes(spec: dict[str, int]) -> bool:
    # "_id: 1" beside excluded fields is refused as a mix (params), so any 1 means an inclusion.
    return 1 in spec.values()
