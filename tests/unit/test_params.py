from __future__ import annotations

from datetime import datetime

import pytest

from voip_rooms.errors import InvalidParams
from voip_rooms.params import DateRange, RoomsParams, parse_rooms_params


def test_nothing_given_sets_nothing() -> None:
    assert parse_rooms_params(None, None) == RoomsParams()


def test_query_and_body_merge() -> None:
    params = parse_rooms_params({"queue": ["sales"], "agents[]": ["a", "b"]}, '{"open": true, "count": 5}')
    assert (params.queue, params.agents, params.open, params.count) == ("sales", ("a", "b"), True, 5)


def test_agents_and_agents_brackets_are_one_list() -> None:
    assert parse_rooms_params({"agents": ["a"], "agents[]": ["b"]}, None).agents == ("a", "b")


def test_dates_are_naive_utc() -> None:
    params = parse_rooms_params(
        {"createdAt": ['{"start": "2026-07-01T02:00:00+02:00", "end": "2026-07-02"}']}, None
    )
    assert params.created_at == DateRange(start=datetime(2026, 7, 1), end=datetime(2026, 7, 2))


def test_sort_keeps_the_callers_key_order() -> None:
    assert parse_rooms_params({"sort": ['{"queue": 1, "ts": -1}']}, None).sort == (("queue", 1), ("ts", -1))


def test_whitespace_body_is_no_body() -> None:
    assert parse_rooms_params(None, "  \n") == RoomsParams()


@pytest.mark.parametrize("body", ['{"count": NaN}', '{"count": Infinity}'])
def test_non_standard_json_numbers_are_refused(body: str) -> None:
    with pytest.raises(InvalidParams):
        parse_rooms_params(None, body)


def test_nul_characters_are_refused_in_strings_and_field_names() -> None:
    with pytest.raises(InvalidParams):
        parse_rooms_params({"queue": ["a\x00b"]}, None)
    with pytest.raises(InvalidParams, match="sort"):
        parse_rooms_params({"sort": ['{"a\\u0000": 1}']}, None)


def test_time_without_an_offset_is_utc() -> None:
    params = parse_rooms_params(None, '{"closedAt": {"start": "2026-07-01T10:30:00"}}')
    assert params.closed_at == DateRange(start=datetime(2026, 7, 1, 10, 30))
