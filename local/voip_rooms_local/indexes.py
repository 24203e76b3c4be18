"""The indexes the endpoint's queries need on ``rocketchat_room``, and which one serves a query.

Every index follows the ESR rule: ``t`` (always an equality) first, one equality field next, then
an order and ``_id``: the default order (``ts``) for every single filter, and each column that
Rocket.Chat's Calls directory sorts an agent's own calls by. Those listings read an index in order
and need no in-memory sort; ranges, ``open`` other than true and the name search are filtered
while reading. A cursor page (``after``) adds an ``$or`` whose every branch fixes a prefix of the
sort keys and bounds the next one (keyset.py): the same index reads each branch in order, and
MongoDB merges the branches in order. The indexes are partial on ``t: "v"``: they hold only VoIP
rooms, so Rocket.Chat's writes to other room types never touch them. The function never creates
or reads an index at run time: ``voip-rooms indexes`` creates them, ``voip-rooms doctor`` checks them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from voip_rooms.keyset import DEFAULT_SORT
from voip_rooms.query import VOIP_ROOM_TYPE

IndexKeys = tuple[tuple[str, int], ...]
_ORDER: IndexKeys = (*DEFAULT_SORT, ("_id", DEFAULT_SORT[0][1]))


@dataclass(frozen=True)
class IndexSpec:
    name: str
    keys: IndexKeys
    serves: str

    @property
    def equality_fields(self) -> tuple[str, ...]:
        return tuple(field for field, _ in self.keys[1 : len(self.keys) - len(_ORDER)])


def _voip_index(name: str, equality: str | None, serves: str, order: IndexKeys = _ORDER) -> IndexSpec:
    middle: IndexKeys = ((equality, 1),) if equality else ()
    return IndexSpec(f"voip_rooms_{name}", (("t", 1), *middle, *order), serves)


# The columns Rocket.Chat's Calls directory sorts an agent's own calls by (its requests always carry
# agents[]=<own id>); ts is served by voip_rooms_by_agent. "phone" is no field of a room: every room
# sorts equal on it, then by _id, which still needs the key in the index to avoid a sort in memory.
CALL_DIRECTORY_COLUMNS = {
    "fname": "fname",
    "phone": "phone",
    "queue": "queue",
    "call_duration": "callDuration",
    "direction": "direction",
    "closed_at": "closedAt",
}


ENDPOINT_INDEXES = (
    _voip_index(
        "by_ts", None, "the default listing, createdAt ranges, and filters without an index of their own"
    ),
    _voip_index("by_agent", "servedBy._id", "agents (an agent listing their own rooms)"),
    _voip_index("by_open", "open", "open=true (the documented example)"),
    _voip_index("by_queue", "queue", "queue"),
    _voip_index("by_visitor", "v._id", "visitorId"),
    _voip_index("by_direction", "direction", "direction"),
    _voip_index("by_tags", "tags", "tags (multikey)"),
    *(
        _voip_index(
            f"by_agent_{name}",
            "servedBy._id",
            f"the Calls directory sorted by {field} (an agent's own calls)",
            ((field, 1), ("_id", 1)),
        )
        for name, field in CALL_DIRECTORY_COLUMNS.items()
    ),
)
PARTIAL_FILTER = {"t": VOIP_ROOM_TYPE}


def serving_index(query: Mapping[str, Any], sort: Sequence[tuple[str, int]]) -> IndexSpec | None:
    """The index that reads this query in the requested order with the most equality keys, if any.

    A condition is an equality when it is a plain value or an ``$in`` (point bounds: several points
    are merged in order); ``$ne``, ranges and regexes are filtered while reading. A cursor's ``$or``
    is served when each branch only narrows the sort keys, in their order.
    """
    branches = query.get("$or", [])
    if not all(_narrows_sort_keys(branch, sort) for branch in branches):
        return None
    equalities = {field for field, condition in query.items() if _is_equality(condition)}
    candidates = [
        index
        for index in ENDPOINT_INDEXES
        if "t" in equalities
        and set(index.equality_fields) <= equalities
        and _reads_in_order(index.keys[-len(_ORDER) :], sort)
    ]
    return max(candidates, key=lambda index: len(index.equality_fields), default=None)


def _narrows_sort_keys(branch: Mapping[str, Any], sort: Sequence[tuple[str, int]]) -> bool:
    """Equalities on the first sort keys, then any one bound on the next: read in order from the index."""
    fields = list(branch)
    prefix_of_sort = fields == [field for field, _ in sort][: len(fields)]
    return prefix_of_sort and all(_is_equality(branch[field]) for field in fields[:-1])


def _is_equality(condition: Any) -> bool:
    if isinstance(condition, Mapping):
        return set(condition) == {"$in"}
    return True


def _reads_in_order(index_order: IndexKeys, sort: Sequence[tuple[str, int]]) -> bool:
    wanted = tuple(sort)
    backwards = tuple((field, -direction) for field, direction in index_order)
    return wanted in (index_order, backwards)


@dataclass(frozen=True)
class IndexAction:
    index: IndexSpec
    action: str  # "exists", "create", "created", or "skipped: ..." (never drops or alters)


def ensure_indexes(collection: Any, *, dry_run: bool) -> list[IndexAction]:
    """Create the missing endpoint indexes; an existing index with the same keys or name is left as it is."""
    existing = collection.index_information()
    by_keys = {
        tuple(_key(field, kind) for field, kind in info["key"]): name for name, info in existing.items()
    }
    actions = []
    for index in ENDPOINT_INDEXES:
        if index.keys in by_keys:
            actions.append(IndexAction(index, f"exists as {by_keys[index.keys]}"))
        elif index.name in existing:
            actions.append(IndexAction(index, "skipped: another index already has this name"))
        elif dry_run:
            actions.append(IndexAction(index, "create"))
        else:
            collection.create_index(list(index.keys), name=index.name, partialFilterExpression=PARTIAL_FILTER)
            actions.append(IndexAction(index, "created"))
    return actions


def _key(field: str, kind: Any) -> tuple[str, Any]:
    """An index key as ours are written: a direction as an int (servers answer 1.0 too); another
    kind of index (a hashed shard key, text, 2dsphere) keeps its name, and matches none of ours."""
    return field, kind if isinstance(kind, str) else int(kind)


CURSOR_NOTE = (
    "cursor pages (after=...) read the same indexes: each $or branch fixes the first sort keys "
    "and bounds the next (ts, then _id within one ts)"
)


def describe(actions: Iterable[IndexAction]) -> list[str]:
    return [f"{a.action:<40} {a.index.name:<36} {dict(a.index.keys)}" for a in actions] + [CURSOR_NOTE]
