"""The rooms an export writes: the API's filters, the API's rooms, in ``ts`` order then ``_id``, walked
with the API's own cursor.

``--filter`` is the query string of GET /api/v1/voip/rooms, decoded and validated by the endpoint's
own parser (params.py), filters only: an export has its own order, returns every field the API
returns, and resumes with ``--after``. Each page is one read of the rooms after the previous page's
last room: the keyset condition of a cursor page (query.py, keyset.py), never an offset, so a walk
neither repeats nor skips a room when calls start or close meanwhile, and a page costs the same at
the start and at the millionth room. A page of ``PAGE_ROWS`` arrives from MongoDB in batches of
``BATCH_ROWS`` (only one batch is held at a time), and each room leaves as the JSON text the API
serves, never-returned fields excluded by the same projection. ``ts`` ascending is an archive's
order: oldest first, and what is appended later sorts after it. The cursor is the API's: ``next``
from a walk with ``sort={"ts":1}`` resumes an export, and an export's cursor continues that walk.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from voip_rooms.cursor import decode_cursor, encode_cursor
from voip_rooms.errors import InvalidParams
from voip_rooms.keyset import listing_order, sort_values
from voip_rooms.params import RoomsParams, parse_rooms_params
from voip_rooms.query import projection, room_filter
from voip_rooms.serialization import to_json
from voip_rooms.store import RocketChatStore
from voip_rooms_local.events import decoded_query

EXPORT_SORT: tuple[tuple[str, int], ...] = (("ts", 1),)
EXPORT_ORDER = listing_order(EXPORT_SORT)  # ts, then _id, both ascending
# A page is one find; its rows come in batches, and only a batch is held. On MongoDB a page reads a
# range of the ts index, whatever its size; on the embedded database every page scans the whole
# collection (and holds its own rows), so pages are large: 200,000 rooms are 4 scans, not 20.
PAGE_ROWS = 50_000
BATCH_ROWS = 1_000
# Query-string parameters of the API that an export sets itself.
NOT_FILTERS = {
    "count": "an export writes every matching room",
    "offset": "an export writes every matching room; resume one with --after",
    "after": "pass it as --after",
    "sort": "an export is in ts order, then _id",
    "fields": "an export writes every field the API returns",
}


class ExportError(Exception):
    """A bad --filter or --after, or a walk that cannot go on; the message is one line."""


@dataclass(frozen=True)
class ExportedRoom:
    """One room as the API serves it (its JSON line, without the newline), and the cursor's values."""

    line: bytes
    sort_values: list[Any]

    @property
    def room_id(self) -> str:
        return str(self.sort_values[-1])


def export_filters(query_string: str) -> RoomsParams:
    """The filters of ``--filter``, by the API's rules for a query string (with or without the ``?``
    of a URL it was copied from)."""
    try:
        query = decoded_query(query_string.removeprefix("?"))
    except ValueError as error:
        raise ExportError(f"--filter is not a valid query string: {error}") from None
    for name in query:
        reason = NOT_FILTERS.get(name)
        if reason is not None:
            raise ExportError(f'--filter takes the API\'s filters; "{name}" is not one: {reason}')
    try:
        return parse_rooms_params(query, None)
    except InvalidParams as error:
        raise ExportError(f"--filter: {error}") from None


def after_values(cursor: str) -> tuple[Any, ...]:
    """The room a ``--after`` cursor names, by the API's rules for ``after`` with ``sort={"ts":1}``."""
    if not cursor:  # an unset shell variable, most likely: never taken for "from the first room"
        raise ExportError("--after is empty: pass the cursor a stopped export printed")
    try:
        return decode_cursor(cursor, EXPORT_ORDER)
    except InvalidParams as error:
        raise ExportError(f"--after: {error}") from None


def resume_cursor(values: list[Any]) -> str:
    """The cursor right after a room with these sort values (what ``--after`` takes)."""
    return encode_cursor(values, EXPORT_ORDER)


def exported_rooms(
    store: RocketChatStore, filters: RoomsParams, after: tuple[Any, ...] | None
) -> Iterator[ExportedRoom]:
    """Every room matching the filters after the ``after`` room (from the first without it), in
    export order, page after page."""
    params = dataclasses.replace(filters, sort=EXPORT_SORT, after=after)
    while True:
        rows = store.stream_rooms(
            room_filter(params), EXPORT_ORDER, PAGE_ROWS, projection(params.fields), BATCH_ROWS
        )
        last: ExportedRoom | None = None
        count = 0
        for row in rows:
            last = ExportedRoom(to_json(row), sort_values(row, EXPORT_ORDER))
            count += 1
            yield last
        if last is None or count < PAGE_ROWS:
            return
        params = dataclasses.replace(params, after=_continued_after(last))


def _continued_after(room: ExportedRoom) -> tuple[Any, ...]:
    """The next page starts after this room, through its cursor as the API's next page would."""
    try:
        return decode_cursor(resume_cursor(room.sort_values), EXPORT_ORDER)
    except InvalidParams:
        raise ExportError(
            f"room {room.room_id} holds an array or embedded document in ts: no walk by ts can continue "
            "after it (voip-rooms doctor counts such rooms)"
        ) from None
