"""Keep an answer under the front door's size limit by ending the page early.

Lambda refuses a synchronous result over 6 MB (a 5xx to the caller), an Application Load Balancer
one over 1 MB. The result is JSON holding the body as a string, so the body counts as that string
is written: every quote and backslash escaped, and (as Python's json writes it by default) each
non-ASCII character as a \\u escape of six characters, or twelve beyond the BMP. When a page is
larger than the limit, the answer holds the longest prefix of it that fits, and its ``next``
continues right after the last room returned.

A page is serialized once; only a page more than a twelfth of the limit is measured, and only one
over the limit is serialized again: each room alone, to count how many fit, then the prefix.
"""

from __future__ import annotations

import json
from typing import Any

from voip_rooms.errors import RoomTooLarge
from voip_rooms.rooms import RoomsPage
from voip_rooms.serialization import to_json

# No character of a serialized body takes more than twelve in the result's JSON.
_MOST_ESCAPED = 12


def fitted_json(page: RoomsPage, limit: int) -> tuple[str, dict[str, Any]]:
    """The JSON body of the page, or of its longest prefix whose result fits in ``limit`` bytes, and
    the envelope it holds."""
    text = _envelope_json(page.envelope)
    if len(text) * _MOST_ESCAPED <= limit or wire_size(text) <= limit:
        return text, page.envelope
    # Each room's share of the result (its text and a comma), and the rest of the envelope, less its
    # count and next: those are each prefix's own (a last page's next is null, a prefix's a cursor).
    shares = [wire_size(_json(room)) - 1 for room in page.envelope["rooms"]]
    used = wire_size(text) - sum(shares) - _own_part(len(shares), page.envelope["next"])
    room_count = 0
    for share in shares:  # the whole page does not fit: the loop ends before its last room
        if used + share + _own_part(room_count + 1, page.next_after(room_count + 1)) > limit:
            break
        used += share
        room_count += 1
    if room_count == 0:
        raise RoomTooLarge(
            f"The first room of this page is larger than one answer may be ({limit} bytes): leave its "
            'large fields out with "fields", or step over it: pass this answer\'s "next" as "after", or '
            'add one to "offset".',
            page.next_after(1),
        )
    envelope = page.first(room_count)
    return _envelope_json(envelope), envelope


def _own_part(count: int, next_cursor: str | None) -> int:
    """What the result spends on the envelope's count and next, which differ from prefix to prefix."""
    return wire_size(_json(count)) + wire_size(_json(next_cursor))


def wire_size(text: str) -> int:
    """The bytes ``text`` takes as a string in the result's JSON, quotes included."""
    return len(json.dumps(text))


def _envelope_json(envelope: dict[str, Any]) -> str:
    """The envelope's JSON, with its rooms (its first key, as rooms.py builds it) written on their own:
    the envelope's own nulls ("total" on a cursor page, "next" on the last one) then never keep the
    rooms' dates from serialization's fastest path, which needs a payload without nulls."""
    rooms, rest = envelope["rooms"], {key: value for key, value in envelope.items() if key != "rooms"}
    others = f",{_json(rest)[1:]}" if rest else "}"
    return f'{{"rooms":{_json(rooms)}{others}'


def _json(value: object) -> str:
    return to_json(value).decode("utf-8")
