from __future__ import annotations

import json
import math
import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import orjson
import pytest
from bson import Code, Regex, Timestamp
from bson.datetime_ms import DatetimeMS
from hypothesis import given
from hypothesis import strategies as st

from tests.spies import record_arguments
from voip_rooms import serialization
from voip_rooms.serialization import to_json


def test_dates_have_exactly_three_fractional_digits_and_z() -> None:
    out = json.loads(
        to_json(
            {
                "a": datetime(2021, 7, 9, 20, 12, 19, 795000),
                "b": datetime(2021, 1, 1),
                "c": datetime(1, 1, 1),
                "d": datetime(9999, 12, 31, 23, 59, 59, 999000),
            }
        )
    )
    assert out == {
        "a": "2021-07-09T20:12:19.795Z",
        "b": "2021-01-01T00:00:00.000Z",
        "c": "0001-01-01T00:00:00.000Z",
        "d": "9999-12-31T23:59:59.999Z",
    }


@pytest.mark.parametrize("machine", ["in UTC", "in another time zone"])
def test_aware_dates_are_converted_to_utc(machine: str, request: pytest.FixtureRequest) -> None:
    if machine != "in UTC":
        request.getfixturevalue("machine_in_another_time_zone")
    aware = datetime(2021, 7, 9, 22, 12, 19, 795000, tzinfo=timezone(timedelta(hours=2)))
    assert json.loads(to_json([aware, aware.astimezone(UTC)])) == ["2021-07-09T20:12:19.795Z"] * 2


@pytest.mark.parametrize(
    ("milliseconds", "javascript"),
    [
        # What `new Date(ms).toISOString()` answers, as Rocket.Chat's server would write the date.
        (8_640_000_000_000_000, "+275760-09-13T00:00:00.000Z"),
        (-8_640_000_000_000_000, "-271821-04-20T00:00:00.000Z"),
        (253_402_300_800_000, "+010000-01-01T00:00:00.000Z"),
        (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
        (-62_135_596_800_001, "0000-12-31T23:59:59.999Z"),
        (-62_167_219_200_000, "0000-01-01T00:00:00.000Z"),
        (-62_198_755_200_000, "-000001-01-01T00:00:00.000Z"),
        (-62_200_000_000_000, "-000002-12-17T14:13:20.000Z"),
    ],
)
def test_dates_outside_pythons_range_are_written_as_javascript_writes_them(
    milliseconds: int, javascript: str
) -> None:
    assert json.loads(to_json({"far": DatetimeMS(milliseconds)})) == {"far": javascript}


@given(st.integers(min_value=-62_135_596_800_000, max_value=253_402_300_799_999))
def test_the_expanded_form_agrees_with_python_inside_its_range(milliseconds: int) -> None:
    as_python = datetime(1970, 1, 1) + timedelta(milliseconds=milliseconds)
    assert to_json([DatetimeMS(milliseconds)]) == to_json([as_python])


def test_rare_bson_types_use_their_extended_json_form() -> None:
    out = json.loads(to_json({"r": Regex("^a", "i"), "t": Timestamp(5, 1), "c": Code("x")}))
    assert out == {
        "r": {"$regularExpression": {"pattern": "^a", "options": "i"}},
        "t": {"$timestamp": {"t": 5, "i": 1}},
        "c": "x",
    }  # Code is a str: its source text


def test_unicode_is_kept_as_is() -> None:
    assert to_json({"fname": "Lucía García 陈"}).decode() == '{"fname":"Lucía García 陈"}'


def test_repeated_and_look_alike_dates_are_each_converted_correctly() -> None:
    naive = datetime(2021, 7, 9, 22, 12, 19, 795000)
    aware = naive.replace(tzinfo=timezone(timedelta(hours=2)))  # the same wall time, two hours earlier in UTC
    out = json.loads(to_json({"a": naive, "b": aware, "c": naive, "d": [aware, naive]}))
    assert out == {
        "a": "2021-07-09T22:12:19.795Z",
        "b": "2021-07-09T20:12:19.795Z",
        "c": "2021-07-09T22:12:19.795Z",
        "d": ["2021-07-09T20:12:19.795Z", "2021-07-09T22:12:19.795Z"],
    }


def test_an_unhashable_bson_value_among_dates_takes_the_general_path() -> None:
    out = json.loads(to_json({"when": datetime(2021, 1, 1), "pattern": Regex("^x")}))
    assert out == {
        "when": "2021-01-01T00:00:00.000Z",
        "pattern": {"$regularExpression": {"pattern": "^x", "options": ""}},
    }


def test_the_expanded_form_agrees_with_python_on_every_day_where_the_calendar_turns() -> None:
    """Every day of century and leap years (1700, 1800, 1900 not leap; 1600, 2000, 2400 leap), and
    28 February to 1 March and the turn of the year of every year of a 400-year era."""
    whole_years = [
        datetime(year, 1, 1) + timedelta(days=n)
        for year in (1600, 1900, 2000, 2001, 2400)
        for n in range(366)
    ]
    turns = [
        start + timedelta(days=n)
        for year in range(1600, 2401)
        for start in (datetime(year, 2, 27), datetime(year, 12, 30))
        for n in range(4)
    ]
    for day in whole_years + turns:
        as_python = day + timedelta(milliseconds=day.day * 3_723_004)
        milliseconds = (as_python - datetime(1970, 1, 1)) // timedelta(milliseconds=1)
        assert to_json([DatetimeMS(milliseconds)]) == to_json([as_python]), as_python


@pytest.mark.parametrize(
    "dates",
    [
        [datetime(2026, 3, 1, 9, 30, 15, 123_000)],  # as pymongo decodes a BSON date: milliseconds
        [datetime(2026, 3, 1, 9, 30, 15), datetime(2026, 3, 1, 9, 30, 15, 5_000)],  # a whole second
        [datetime(2026, 3, 1, 9, 30, 15, 123_000, tzinfo=UTC), datetime(2025, 1, 1)],  # aware, in UTC
    ],
    ids=["milliseconds", "whole second", "aware UTC"],
)
def test_a_page_of_stored_dates_is_formatted_without_a_python_call_per_value(
    monkeypatch: pytest.MonkeyPatch, dates: list[datetime]
) -> None:
    # Part of the warm request's budget (docs/PERFORMANCE.md): orjson formats every date of a page.
    page = {"rooms": [{"ts": date, "closedAt": date, "_id": str(n)} for n, date in enumerate(dates)]}
    expected = serialization.to_json_exact(page)
    converted = record_arguments(monkeypatch, serialization, "_bson_value")
    assert to_json(page) == expected
    assert converted == []


class _RecordingPattern:
    def __init__(self, pattern: re.Pattern[bytes], used: list[str]) -> None:
        self.pattern, self.used = pattern, used

    def sub(self, *args: Any) -> bytes:
        self.used.append("sub")
        return self.pattern.sub(*args)

    def search(self, *args: Any) -> re.Match[bytes] | None:
        self.used.append("search")
        return self.pattern.search(*args)


def test_dates_that_all_carry_milliseconds_skip_the_passes_for_other_forms(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Stored dates always carry milliseconds: the two passes would cost a page of 250 dates 25 µs.
    used: list[str] = []
    for name in ("_WHOLE_SECOND_END", "_MICROSECONDS_END"):
        monkeypatch.setattr(serialization, name, _RecordingPattern(getattr(serialization, name), used))
    assert to_json({"ts": datetime(2026, 3, 1, 9, 30, 15, 123_000)}) == b'{"ts":"2026-03-01T09:30:15.123Z"}'
    assert used == []
    assert to_json({"ts": datetime(2026, 3, 1, 9, 30, 15)}) == b'{"ts":"2026-03-01T09:30:15.000Z"}'
    assert used == ["sub", "search"]


def _payloads_written(monkeypatch: pytest.MonkeyPatch, payload: Any) -> int:
    """How many times serialization asks orjson to write the whole payload."""
    expected = serialization.to_json_exact(payload)
    written: list[Any] = []
    dumps = orjson.dumps

    def counted(value: Any, *args: Any, **kwargs: Any) -> bytes:
        written.append(value)
        return dumps(value, *args, **kwargs)

    monkeypatch.setattr(orjson, "dumps", counted)
    assert to_json(payload) == expected
    return sum(value is payload for value in written)


def _rooms(**extra: Any) -> list[dict[str, Any]]:
    start = datetime(2026, 3, 1, 9, 30, 15, 123_000)
    return [
        {"_id": str(n), "ts": start + timedelta(minutes=n), "closedAt": start, "fname": "Ana", **extra}
        for n in range(3)
    ]


def test_dates_of_a_payload_without_nulls_are_spliced_into_its_one_writing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _payloads_written(monkeypatch, _rooms()) == 1


@pytest.mark.parametrize("value", [None, math.nan, "null", "annulled"], ids=["null", "NaN", "text", "word"])
def test_a_payload_writing_null_anywhere_is_written_again_with_each_date_looked_up(
    monkeypatch: pytest.MonkeyPatch, value: Any
) -> None:
    assert _payloads_written(monkeypatch, _rooms(callWaitingTime=value)) == 2


def test_a_payload_without_dates_or_other_bson_values_is_written_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _payloads_written(monkeypatch, {"success": False, "error": "null", "next": None}) == 1
