"""The embedded database compares as MongoDB does, in sorts and in filters: cursor walks and date
ranges over what real dumps hold (NaN, Decimal128, longs, dates outside the years 1-9999, paths
through strings) answer as the deployed function does."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

import pytest
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.int64 import Int64

from tests.bson_order import walk
from tests.factories import ApiClient, room

YEAR_MINUS_1 = DatetimeMS(-62_200_000_000_000)
YEAR_0 = DatetimeMS(-62_150_000_000_000)
YEAR_12000 = DatetimeMS(316_000_000_000_000)
ALL = {"nan", "decimal-nan", "one", "decimal-one-and-a-half", "long", "string-v"}


def _dump_shaped_rooms() -> list[dict[str, Any]]:
    bare = room(_id="bare")
    del bare["ts"]
    return [
        bare,
        room(
            _id="nan",
            ts=datetime(2026, 7, 1),
            callDuration=math.nan,
            callTotalHoldTime=Decimal128("NaN"),
            closedAt=YEAR_12000,
        ),
        room(
            _id="dec",
            ts=YEAR_MINUS_1,
            callDuration=Decimal128("1.5"),
            callTotalHoldTime=Decimal128("1.5E+6000"),
        ),
        room(
            _id="long",
            ts=datetime(1900, 1, 1),
            callDuration=Int64(2**62),
            callTotalHoldTime=3,
            closedAt=datetime(2026, 7, 2),
        ),
        room(_id="float", ts=datetime(2026, 7, 2), callDuration=1.25, callTotalHoldTime=2.0, closedAt=YEAR_0),
    ]


def _walk(api: ApiClient, query: dict[str, Any]) -> list[str]:
    def page(cursor: str | None) -> dict[str, Any]:
        answer = api.get(query | {"count": 1} | ({"after": cursor} if cursor else {}))
        assert answer.status == 200, answer.body
        return dict(answer.body)

    return [found["_id"] for found in walk(page, limit=20)]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (None, ["float", "nan", "long", "dec", "bare"]),
        ({"ts": 1}, ["bare", "dec", "long", "nan", "float"]),
        ({"closedAt": -1}, ["nan", "long", "float", "dec", "bare"]),
        ({"callTotalHoldTime": -1}, ["dec", "long", "float", "nan", "bare"]),
        ({"callDuration": 1}, ["bare", "nan", "float", "dec", "long"]),
        ({"callDuration": -1}, ["long", "dec", "float", "nan", "bare"]),
    ],
)
def test_walks_over_dump_shaped_values_return_every_room_once_in_mongodbs_order(
    api: ApiClient, sort: dict[str, int] | None, expected: list[str]
) -> None:
    api.add_rooms(*_dump_shaped_rooms())
    assert _walk(api, {"sort": json.dumps(sort)} if sort else {}) == expected


def test_a_date_range_compares_dates_outside_the_years_1_to_9999_like_any_other(api: ApiClient) -> None:
    api.add_rooms(*_dump_shaped_rooms())
    created = {"start": "1800-01-01T00:00:00Z", "end": "2026-07-01T12:00:00Z"}
    closed = {"start": "0001-01-01T00:00:00Z"}
    answer = api.get({"createdAt": json.dumps(created), "closedAt": json.dumps(closed), "sort": '{"ts": 1}'})
    assert answer.status == 200, answer.body
    assert answer.room_ids == ["long", "nan"]


@pytest.mark.parametrize(
    ("direction", "expected"), [(1, ["null", "string", "a", "x"]), (-1, ["x", "a", "string", "null"])]
)
def test_a_walk_by_a_path_through_a_string_or_null_ends_with_every_room_once(
    api: ApiClient, direction: int, expected: list[str]
) -> None:
    api.add_rooms(
        room(_id="string", v="just-a-string"),
        room(_id="null", v=None),
        room(_id="x", v={"_id": "x"}),
        room(_id="a", v={"_id": "a"}),
    )
    assert _walk(api, {"sort": json.dumps({"v._id": direction})}) == expected


@pytest.mark.parametrize(
    ("condition", "matched"),
    [
        ({"n": math.nan}, {"nan", "decimal-nan"}),
        ({"n": {"$lt": 5}}, {"one", "decimal-one-and-a-half"}),
        ({"n": {"$gte": -math.inf}}, {"one", "decimal-one-and-a-half", "long"}),
        ({"n": {"$lte": math.nan}}, {"nan", "decimal-nan"}),
        ({"n": 1.5}, {"decimal-one-and-a-half"}),
        ({"n": {"$ne": Decimal128("1")}}, ALL - {"one"}),
        ({"d": {"$gt": datetime(2000, 1, 1)}}, {"long"}),
        ({"d": {"$lt": datetime(2000, 1, 1)}}, {"one"}),
        ({"d": YEAR_12000}, {"long"}),
        ({"d": {"$type": "date"}}, {"one", "long"}),
        ({"v._id": None}, ALL),
        ({"v._id": {"$ne": None}}, set()),
    ],
)
def test_filters_compare_as_mongodb_does(
    api: ApiClient, condition: dict[str, Any], matched: set[str]
) -> None:
    api.add_rooms(
        {"_id": "nan", "n": math.nan},
        {"_id": "decimal-nan", "n": Decimal128("NaN")},
        {"_id": "one", "n": 1, "d": YEAR_MINUS_1},
        {"_id": "decimal-one-and-a-half", "n": Decimal128("1.5")},
        {"_id": "long", "n": Int64(2**62), "d": YEAR_12000},
        {"_id": "string-v", "v": "just-a-string"},
    )
    assert {found["_id"] for found in api.db.rocketchat_room.find(condition)} == matched


@pytest.mark.parametrize(
    ("condition", "matched"),
    [
        # MongoDB keeps a bound's milliseconds only: .123999 is .123.
        ({"ts": {"$lte": datetime(2026, 7, 1, 10, 0, 0, 123_999)}}, {"at-123", "at-122"}),
        ({"ts": {"$gt": datetime(2026, 7, 1, 10, 0, 0, 122_001)}}, {"at-123"}),
        ({"ts": {"$gte": datetime(2026, 7, 1, 10, 0, 0, 123_000)}}, {"at-123"}),
        ({"ts": {"$lt": datetime(2026, 7, 1, 10, 0, 0, 123_000)}}, {"at-122"}),
        ({"ts": {"$gte": datetime(2026, 7, 1, 10, 0, 0, 123_000, tzinfo=UTC)}}, {"at-123"}),
    ],
)
def test_dates_compare_by_their_milliseconds_whatever_finer_part_a_bound_has(
    api: ApiClient, condition: dict[str, Any], matched: set[str]
) -> None:
    api.add_rooms(
        {"_id": "at-123", "ts": datetime(2026, 7, 1, 10, 0, 0, 123_000)},
        {"_id": "at-122", "ts": datetime(2026, 7, 1, 10, 0, 0, 122_000)},
    )
    assert {found["_id"] for found in api.db.rocketchat_room.find(condition)} == matched
