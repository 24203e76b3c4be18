"""Ending a page early to fit a size limit: the longest prefix that fits, found with one guess."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from voip_rooms.cursor import encode_cursor
from voip_rooms.errors import RoomTooLarge
from voip_rooms.response_size import fitted_json, wire_size
from voip_rooms.rooms import RoomsPage
from voip_rooms.serialization import to_json

ORDER = [("ts", -1), ("_id", -1)]
START = datetime(2026, 7, 1, 12, 0)
# Rooms of different sizes and texts that the result's JSON writes longer than they are.
TEXTS = ["plain", 'quote " and \\ backslash', "ação", "emoji 📞", "x" * 300, "tab\tand\nnewline"]


def _page(size: int, *, has_next: bool) -> RoomsPage:
    rooms = [
        {
            "_id": f"room-{n:04d}",
            "ts": START - timedelta(minutes=n),
            "fname": TEXTS[n % len(TEXTS)] * (n % 3 + 1),
        }
        for n in range(size)
    ]
    values = [[room["ts"], room["_id"]] for room in rooms]
    envelope: dict[str, Any] = {
        "rooms": rooms,
        "count": size,
        "offset": 0,
        "total": None,
        "next": encode_cursor([START - timedelta(minutes=size), "room-9999"], ORDER) if has_next else None,
        "success": True,
    }
    return RoomsPage(envelope, ORDER, values.__getitem__)


def _size(envelope: dict[str, Any]) -> int:
    return wire_size(to_json(envelope).decode())


def _limits(page: RoomsPage) -> list[int]:
    """Every limit where the answer changes: each prefix's exact size, and one byte less."""
    exact = [_size(page.first(count)) for count in range(1, len(page.envelope["rooms"]) + 1)]
    return sorted({limit + delta for limit in [*exact, _size(page.envelope)] for delta in (-1, 0)})


@pytest.mark.parametrize("has_next", [True, False], ids=["a next page", "the last page"])
def test_the_answer_is_the_longest_prefix_of_the_page_that_fits(has_next: bool) -> None:
    page = _page(12, has_next=has_next)
    rooms = page.envelope["rooms"]
    for limit in _limits(page):
        if limit < _size(page.first(1)):
            continue
        text, envelope = fitted_json(page, limit)
        assert json.loads(text) == json.loads(to_json(envelope))
        assert wire_size(text) <= limit
        count = len(envelope["rooms"])
        assert envelope["rooms"] == rooms[:count]
        if count < len(rooms):
            assert envelope == page.first(count)
            assert _size(page.first(count + 1)) > limit, f"room {count + 1} fits in {limit} bytes too"
        else:
            assert envelope == page.envelope, "a page that fits is answered as it is, next included"


def test_a_page_that_fits_exactly_is_answered_whole() -> None:
    page = _page(12, has_next=False)
    limit = _size(page.envelope)
    assert fitted_json(page, limit) == (to_json(page.envelope).decode(), page.envelope)


def test_a_first_room_larger_than_the_limit_is_refused_with_a_next_past_it() -> None:
    page = _page(3, has_next=True)
    limit = _size(page.first(1)) - 1
    with pytest.raises(RoomTooLarge) as refused:
        fitted_json(page, limit)
    assert refused.value.message == (
        f"The first room of this page is larger than one answer may be ({limit} bytes): leave its "
        'large fields out with "fields", or step over it: pass this answer\'s "next" as "after", or '
        'add one to "offset".'
    )
    assert re.fullmatch(r"[A-Za-z0-9_-]+", refused.value.next or "")
    assert refused.value.next == page.first(1)["next"]


def test_the_envelopes_own_nulls_leave_its_rooms_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # A cursor page's total and a last page's next are null; the rooms' dates are still spliced into
    # the rooms' one writing (serialization's fastest path, which a null would rule out).
    page = _page(5, has_next=False)
    assert (page.envelope["total"], page.envelope["next"]) == (None, None)
    expected = to_json(page.envelope)
    rooms_written: list[Any] = []
    dumps = orjson.dumps

    def counted(value: Any, *args: Any, **kwargs: Any) -> bytes:
        if value is page.envelope or value is page.envelope["rooms"]:
            rooms_written.append(value)
        return dumps(value, *args, **kwargs)

    monkeypatch.setattr(orjson, "dumps", counted)
    text, answered = fitted_json(page, 1_000_000)
    assert (text.encode(), answered) == (expected, page.envelope)
    assert len(rooms_written) == 1, "the rooms, alone, once"


@pytest.mark.parametrize(
    "envelope",
    [
        {"rooms": []},
        {"rooms": [{"_id": "a", "ts": START}], "count": 1},
        {"rooms": [{"_id": "a", "n": None}], "next": None, "total": None},
    ],
    ids=["rooms only", "one more key", "nulls"],
)
def test_an_envelope_is_written_as_serialization_writes_it_whatever_it_holds(
    envelope: dict[str, Any],
) -> None:
    page = RoomsPage(envelope, ORDER, lambda index: [START, "a"])
    text, answered = fitted_json(page, 1_000_000)
    assert (text.encode(), answered) == (to_json(envelope), envelope)
