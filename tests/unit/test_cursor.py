"""The cursor keeps every BSON value's type, and the keyset branches follow MongoDB's order where
mongomock cannot show it (NaN, which mongomock does not sort as MongoDB does)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import pytest
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId

from voip_rooms.cursor import decode_cursor, encode_cursor
from voip_rooms.errors import InvalidParams
from voip_rooms.keyset import after_branches

ORDER = [("k", 1), ("_id", 1)]
VALUES: dict[str, Any] = {
    "date": datetime(2026, 7, 1, 12, 0, 0, 123000),
    "date beyond Python's range": DatetimeMS(2**60),
    "ObjectId": ObjectId("66a0000000000000000000aa"),
    "NaN": math.nan,
    "null": None,
    "64-bit integer": Int64(2**40),
    "decimal": Decimal128("1.10"),
    "binary": b"\x00\xff",
    "boolean": False,
    "text with NUL": "a\x00b",
}


@pytest.mark.parametrize("value", VALUES.values(), ids=VALUES.keys())
def test_a_cursor_gives_back_each_value_with_its_type(value: Any) -> None:
    text = encode_cursor([value, "room-1"], ORDER)
    assert set(text) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    decoded, room_id = decode_cursor(text, ORDER)
    assert room_id == "room-1"
    assert type(decoded) is type(value)
    assert decoded == value or (math.isnan(decoded) and math.isnan(value))


def test_the_default_orders_cursor_is_compact() -> None:
    text = encode_cursor([VALUES["date"], "dM5hyCQ2NBvZOszUl"], [("ts", -1), ("_id", -1)])
    assert len(text) <= 100


def test_a_cursor_for_one_order_is_refused_for_another() -> None:
    text = encode_cursor([1, "room-1"], ORDER)
    with pytest.raises(InvalidParams, match='another "sort"'):
        decode_cursor(text, [("k", -1), ("_id", -1)])


def test_after_nan_ascending_come_the_other_numbers_and_every_higher_type() -> None:
    first, *types = after_branches([("k", 1)], [math.nan])
    assert first == {"k": {"$gte": -math.inf}}
    assert [branch["k"]["$type"] for branch in types] == [
        "string",
        "object",
        "binData",
        "objectId",
        "bool",
        "date",
    ]


def test_after_a_number_descending_come_smaller_numbers_then_nan_then_null_and_missing() -> None:
    smaller, nan, null = after_branches([("k", -1)], [3])
    assert smaller == {"k": {"$lt": 3}}
    assert math.isnan(nan["k"])
    assert null == {"k": None}


def test_after_nan_descending_come_only_null_and_missing() -> None:
    assert after_branches([("k", -1)], [math.nan]) == [{"k": None}]
    assert after_branches([("k", -1)], [Decimal128("NaN")]) == [{"k": None}]


def test_after_null_ascending_comes_every_present_value_and_descending_nothing() -> None:
    assert after_branches([("k", 1)], [None]) == [{"k": {"$ne": None}}]
    assert after_branches([("k", -1)], [None]) == [{"_id": {"$in": []}}]


def test_a_tie_on_the_first_key_continues_on_the_id_within_it() -> None:
    when = VALUES["date"]
    branches = after_branches([("ts", -1), ("_id", -1)], [when, "room-5"])
    assert {"ts": when, "_id": {"$lt": "room-5"}} in branches
    assert all(set(branch) in ({"ts"}, {"ts", "_id"}) for branch in branches)


def test_a_cursor_from_an_earlier_deployment_still_decodes() -> None:
    """The wire form is a promise: an integration may hold a cursor across a deployment."""
    issued = "RAAAABB2AAEAAAAFcwAEAAAAAAD9xxkEawApAAAACTAAu4Ebp6EBAAACMQASAAAAa2dRYVVuMmtqNThjdEFheEQAAAA"
    order = [("ts", -1), ("_id", -1)]
    assert decode_cursor(issued, order) == (datetime(2026, 11, 4, 15, 9, 20, 187000), "kgQaUn2kj58ctAaxD")
