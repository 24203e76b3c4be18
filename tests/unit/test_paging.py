from __future__ import annotations

import pytest

from voip_rooms.paging import page_size, total_from_page


@pytest.mark.parametrize(
    ("count", "size"), [(None, 50), (0, 50), (1, 1), (100, 100), (101, 100), (2**31 - 1, 100)]
)
def test_page_size(count: int | None, size: int) -> None:
    assert page_size(count) == size


@pytest.mark.parametrize(
    ("offset", "limit", "returned", "total"),
    [
        (0, 50, 0, 0),  # empty at the start: nothing matches
        (0, 50, 7, 7),  # short page: it is the last
        (40, 50, 7, 47),
        (0, 50, 50, None),  # full page: more may follow
        (60, 50, 0, None),  # empty past the start: the rows may end anywhere before it
    ],
)
def test_total_is_known_only_when_the_page_proves_it(
    offset: int, limit: int, returned: int, total: int | None
) -> None:
    assert total_from_page(offset, limit, returned) == total
