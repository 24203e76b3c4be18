"""The cursor keeps every BSON value's type, and the keyset branches follow MongoDB's order where
mongomock cannot show it (NaN, which mongomock does not sort as MongoDB does)."""

from __future__ import annotations

import base64
import math
import re
from datetime import datetime
from typing import Any

import bson
import pytest
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.objectid import ObjectId

from voip_rooms.cursor import MAX_LENGTH, decode_cursor, encode_cursor
from voip_rooms.errors import InvalidParams
from voip_rooms.keyset import after_branches

ORDER = [("k", 1), ("_id", 1)]
URL_SAFE = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
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
    assert set(text) <= set(URL_SAFE)
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


NOT_OURS = 'Invalid "after" parameter: it is not a cursor this endpoint returned.'


def _cursor_of_length(length: int) -> str:
    """A cursor this endpoint makes, of exactly this many characters (a long string sort value)."""
    for size in range(length):
        text = encode_cursor(["x" * size, "room-1"], ORDER)
        if len(text) >= length:
            assert len(text) == length
            return text
    raise AssertionError(length)


def test_a_cursor_of_the_longest_accepted_length_decodes_and_one_longer_is_refused() -> None:
    assert decode_cursor(_cursor_of_length(MAX_LENGTH), ORDER)[1] == "room-1"
    with pytest.raises(InvalidParams, match=f"^{re.escape(NOT_OURS)}$"):
        decode_cursor(_cursor_of_length(MAX_LENGTH + 4), ORDER)


def test_a_cursor_may_use_every_url_safe_character() -> None:
    text = encode_cursor([bytes(range(256)), "room-1"], ORDER)
    assert set(text) == set(URL_SAFE)
    assert decode_cursor(text, ORDER) == (bytes(range(256)), "room-1")


@pytest.mark.parametrize("length", range(1, 5))
def test_every_length_of_a_real_cursor_decodes(length: int) -> None:
    """Unpadded base64 ends in 2, 3 or 4 characters of its last group: each is read back."""
    for size in range(3):
        value = "x" * (size + length)
        assert decode_cursor(encode_cursor([value, "room-1"], ORDER), ORDER)[0] == value


@pytest.mark.parametrize(
    "text",
    [
        "not+base64/at-all",  # standard base64's characters, not the URL-safe ones
        "AAAA",  # base64, but not BSON
        "A",  # no whole byte
        "",
    ],
)
def test_what_this_endpoint_did_not_make_is_refused_as_not_a_cursor(text: str) -> None:
    with pytest.raises(InvalidParams, match=f"^{re.escape(NOT_OURS)}$"):
        decode_cursor(text, ORDER)


def test_a_cursor_in_standard_base64_is_refused_though_it_holds_the_same_bytes() -> None:
    text = encode_cursor([bytes(range(256)), "room-1"], ORDER)
    standard = text.replace("-", "+").replace("_", "/")
    with pytest.raises(InvalidParams, match=f"^{re.escape(NOT_OURS)}$"):
        decode_cursor(standard, ORDER)


def _forged(document: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(bson.encode(document)).rstrip(b"=").decode("ascii")


def _refusal(text: str) -> str:
    with pytest.raises(InvalidParams) as refused:
        decode_cursor(text, ORDER)
    return refused.value.message


FINGERPRINT = bson.decode(base64.urlsafe_b64decode(encode_cursor([1, "r"], ORDER) + "=="))["s"]
ANOTHER_VERSION = (
    'Invalid "after" parameter: it comes from another version of this endpoint; start the walk again.'
)


@pytest.mark.parametrize(
    "document",
    [
        {"v": 1, "s": FINGERPRINT},  # no values
        {"v": 1, "s": FINGERPRINT, "k": [1, "r"], "x": 1},  # a key it never has
        {"v": 1, "s": FINGERPRINT, "k": {"0": 1, "1": "r"}},  # values not a list
        {"v": 1, "s": FINGERPRINT, "k": [1]},  # fewer values than sort keys
        {"v": 1, "s": FINGERPRINT, "k": [1, "r", 2]},  # more
    ],
)
def test_a_cursor_not_shaped_as_this_endpoint_makes_them_is_refused_as_not_a_cursor(
    document: dict[str, Any],
) -> None:
    assert _refusal(_forged(document)) == NOT_OURS


@pytest.mark.parametrize(
    "version", [2, 0, 1.0, "1", Int64(1)], ids=["2", "0", "double 1", "text 1", "int64 1"]
)
def test_a_cursor_of_another_version_or_version_type_says_to_start_again(version: Any) -> None:
    assert _refusal(_forged({"v": version, "s": FINGERPRINT, "k": [1, "r"]})) == ANOTHER_VERSION


def test_a_cursor_made_for_another_sort_says_to_pass_the_same_sort() -> None:
    text = encode_cursor([1, "room-1"], [("k", -1), ("_id", -1)])
    assert _refusal(text) == (
        'Invalid "after" parameter: it was made for another "sort"; pass the same "sort" on every page.'
    )


def test_a_cursor_holding_an_array_says_to_page_with_offset() -> None:
    assert _refusal(_forged({"v": 1, "s": FINGERPRINT, "k": [[1], "r"]})) == (
        'Invalid "after" parameter: a sort field holds an array or embedded document; '
        "page with offset instead."
    )
