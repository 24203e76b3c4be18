"""The fast date path gives, byte for byte, what converting every value in Python gives."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from bson import Decimal128, ObjectId
from hypothesis import given, settings
from hypothesis import strategies as st

from voip_rooms.serialization import to_json, to_json_exact

LOOK_ALIKES = st.sampled_from(
    [
        "2021-07-09T20:12:19.795000Z",
        "2021-07-09T20:12:19Z",
        "x000Z",
        "000Z",
        "T10:00:00Z",
        ":59Z",
        "2021-07-09T20:12:19.795Z",
        "2021-07-09T20:12:19.123456Z",
        'a"000Z',
        "Z",
        "",
        "naïve 😀",
        "null",
        "a null here",
    ]
)
BSON_DATES = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)
)
ANY_DATES = st.one_of(
    BSON_DATES,
    BSON_DATES.map(lambda d: d.replace(microsecond=0)),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    BSON_DATES.map(lambda d: d.replace(tzinfo=UTC)),
    BSON_DATES.map(lambda d: d.replace(tzinfo=timezone(timedelta(hours=2)))),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    LOOK_ALIKES,
    ANY_DATES,
)
RARE = st.one_of(
    st.builds(ObjectId),
    st.decimals(-(10**9), 10**9, places=2).map(lambda d: Decimal128(str(d))),
    st.binary(max_size=8),
)


def payloads(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.one_of(st.text(max_size=8), LOOK_ALIKES)
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=25,
    )


@settings(max_examples=400)
@given(payloads(SCALARS))
def test_dates_and_look_alike_strings_serialize_exactly(payload: Any) -> None:
    assert to_json(payload) == to_json_exact(payload)


@settings(max_examples=150)
@given(payloads(st.one_of(SCALARS, RARE)))
def test_other_bson_values_among_dates_serialize_exactly(payload: Any) -> None:
    assert to_json(payload) == to_json_exact(payload)
