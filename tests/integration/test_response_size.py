"""A page whose answer would exceed the front door's size limit ends early, with a next after it."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.factories import ADMIN, ApiClient, room
from voip_rooms import handler
from voip_rooms.settings import SETTINGS
from voip_rooms_local.events import alb_event

START = datetime(2026, 7, 1, 12, 0)
LIMIT = 50_000


def _result_size(answer_raw: dict[str, Any]) -> int:
    """What the Lambda runtime writes: the result as JSON, the body escaped inside it."""
    return len(json.dumps(answer_raw))


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, max_response_bytes=LIMIT))


def _big_rooms(api: ApiClient, sizes: list[int]) -> list[str]:
    stored = api.add_rooms(
        *(
            room(_id=f"r{n:02d}", ts=START - timedelta(minutes=n), livechatData={"notes": "x" * size})
            for n, size in enumerate(sizes)
        )
    )
    return [r["_id"] for r in stored]


def test_a_page_larger_than_lambdas_limit_is_cut_to_the_rooms_that_fit_by_default(api: ApiClient) -> None:
    _big_rooms(api, [70_000] * 100)
    answer = api.get({"count": 100})
    assert answer.status == 200
    assert _result_size(answer.raw) <= SETTINGS.max_response_bytes < 6 * 1024 * 1024
    assert 70 < answer.body["count"] == len(answer.room_ids) < 100
    assert answer.body["total"] == 100


@pytest.mark.usefixtures("limited")
def test_a_cut_page_returns_the_longest_prefix_that_fits_and_a_next_right_after_it(api: ApiClient) -> None:
    ids = _big_rooms(api, [9_000] * 12)
    answer = api.get({"count": 10})
    assert answer.status == 200
    assert answer.room_ids == ids[: answer.body["count"]]
    assert _result_size(answer.raw) <= LIMIT
    one_more = api.get({"count": answer.body["count"] + 1})
    assert _result_size(one_more.raw) <= LIMIT  # itself cut: one room more would not have fitted
    assert one_more.body["count"] == answer.body["count"]
    following = api.get({"count": 10, "after": answer.body["next"]})
    assert following.room_ids[0] == ids[answer.body["count"]]


@pytest.mark.usefixtures("limited")
def test_walking_cut_pages_by_next_or_by_offset_plus_count_returns_every_room_once(api: ApiClient) -> None:
    ids = _big_rooms(api, [3_000, 20_000, 15_000, 30_000, 1_000, 40_000, 2_000, 25_000, 9_000])
    by_cursor, cursor = [], None
    while True:
        answer = api.get({"count": 5} | ({"after": cursor} if cursor else {}))
        assert answer.status == 200
        assert _result_size(answer.raw) <= LIMIT
        by_cursor += answer.room_ids
        if not (cursor := answer.body["next"]):
            break
    by_offset: list[str] = []
    while len(by_offset) < len(ids):
        answer = api.get({"count": 5, "offset": len(by_offset)})
        assert answer.body["count"] > 0
        by_offset += answer.room_ids
    assert by_cursor == by_offset == ids


@pytest.mark.usefixtures("limited")
def test_a_last_page_that_is_cut_still_has_a_next_for_the_rooms_left_out(api: ApiClient) -> None:
    ids = _big_rooms(api, [30_000, 30_000])
    answer = api.get()
    assert (answer.room_ids, answer.body["total"]) == (ids[:1], 2)
    assert api.get({"after": answer.body["next"]}).room_ids == ids[1:]


@pytest.mark.usefixtures("limited")
def test_a_cut_page_sorted_by_a_field_left_out_of_fields_continues_in_that_order(api: ApiClient) -> None:
    ids = _big_rooms(api, [30_000, 30_000, 10])
    query = {"fields": '{"livechatData": 1}', "sort": '{"ts": 1}'}
    first = api.get(query)
    assert first.room_ids == [ids[2], ids[1]]  # oldest first; the third would not fit
    assert api.get(query | {"after": first.body["next"]}).room_ids == [ids[0]]


@pytest.mark.usefixtures("limited")
def test_escaped_and_non_ascii_text_counts_as_the_result_writes_it(api: ApiClient) -> None:
    # 8,000 characters, 48,000 bytes once each is escaped as \uXXXX in the result's JSON.
    _big_rooms(api, [0, 0])
    api.db.rocketchat_room.update_many({}, {"$set": {"livechatData": {"notes": "é" * 8_000}}})
    answer = api.get()
    assert answer.body["count"] == 1
    assert _result_size(answer.raw) <= LIMIT


@pytest.mark.usefixtures("limited")
def test_a_first_room_larger_than_an_answer_may_be_is_a_400_that_says_how_to_get_past_it(
    api: ApiClient,
) -> None:
    ids = _big_rooms(api, [5, LIMIT, 5])
    first = api.get()
    assert first.room_ids == ids[:1]
    refused = api.get({"after": first.body["next"]})
    assert refused.status == 400
    assert refused.body["errorType"] == "error-room-too-large"
    assert '"fields"' in refused.body["error"]
    assert '"offset"' in refused.body["error"]
    assert api.get({"offset": 1}).status == 400
    assert api.get({"offset": 1, "fields": '{"livechatData": 0}'}).room_ids == ids[1:]
    assert api.get({"offset": 2}).room_ids == ids[2:]


@pytest.mark.usefixtures("limited")
def test_a_cursor_walk_steps_over_a_room_too_large_with_the_refusals_next(api: ApiClient) -> None:
    ids = _big_rooms(api, [5, LIMIT, 5, 5])
    first = api.get({"count": 1})
    refused = api.get({"count": 1, "after": first.body["next"]})
    assert refused.status == 400
    assert '"after"' in refused.body["error"]
    walked = api.get({"count": 1, "after": refused.body["next"]})
    assert walked.room_ids == ids[2:3]
    assert api.get({"count": 1, "after": walked.body["next"]}).room_ids == ids[3:]


@pytest.mark.usefixtures("limited")
def test_a_refused_page_reports_no_rooms_returned_in_its_request_line(
    api: ApiClient, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    _big_rooms(api, [LIMIT, 5])
    assert api.get().status == 400
    (line,) = [line for line in logs() if line["level"] == "INFO" and line["message"] == "request"]
    assert (line["status"], line["reason"]) == (400, "error-room-too-large")
    assert "RoomsReturned" not in line
    assert "RoomsReturned" not in [m["Name"] for m in line["_aws"]["CloudWatchMetrics"][0]["Metrics"]]


def test_behind_a_load_balancer_the_answer_stays_under_its_1_mb_limit(api: ApiClient) -> None:
    _big_rooms(api, [70_000] * 20)
    event = alb_event("GET", "/api/v1/voip/rooms", headers=ADMIN.credentials, query_string="count=20")
    answer = api.send(event)
    assert answer.status == 200
    assert _result_size(answer.raw) <= 1_000_000
    assert 10 < answer.body["count"] < 20


def test_a_page_under_the_limit_is_answered_whole(api: ApiClient) -> None:
    ids = _big_rooms(api, [1_000] * 5)
    answer = api.get()
    assert (answer.room_ids, answer.body["count"], answer.body["next"]) == (ids, 5, None)


@pytest.mark.usefixtures("limited")
def test_the_request_line_counts_the_rooms_returned_not_the_rooms_read(
    api: ApiClient, logs: Callable[[], list[dict[str, Any]]]
) -> None:
    _big_rooms(api, [20_000] * 4)
    returned = api.get().body["count"]
    (line,) = [line for line in logs() if line["level"] == "INFO" and line["message"] == "request"]
    assert line["RoomsReturned"] == returned < 4
