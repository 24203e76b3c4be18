"""When a page tells the total by itself, at the edges: one row, an empty page, a full page."""

from __future__ import annotations

from voip_rooms.paging import total_from_page


def test_a_single_row_on_a_short_page_is_the_whole_rest() -> None:
    assert total_from_page(0, 50, 1) == 1
    assert total_from_page(7, 50, 1) == 8


def test_a_full_page_cannot_tell_the_total() -> None:
    assert total_from_page(0, 50, 50) is None


def test_an_empty_first_page_is_an_empty_listing_and_an_empty_later_page_tells_nothing() -> None:
    assert total_from_page(0, 50, 0) == 0
    assert total_from_page(50, 50, 0) is None
