"""Page size and the total, counted only when the page itself cannot tell it."""

from __future__ import annotations

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def page_size(count: int | None) -> int:
    """Rocket.Chat's default of 50, capped at 100; 0 means the default (a Lambda answer is bounded)."""
    if not count:
        return DEFAULT_PAGE_SIZE
    return min(count, MAX_PAGE_SIZE)


def total_from_page(offset: int, limit: int, returned: int) -> int | None:
    """The total when this page proves it, else None (a count is needed).

    A page shorter than the limit is the last one, unless it is empty past the start
    (then the rows may end anywhere before the offset).
    """
    if 0 < returned < limit or (returned == 0 and offset == 0):
        return offset + returned
    return None
