"""Every parameter limit at the limit and one past it, and the exact texts of the refusals."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import pytest

from voip_rooms.errors import MAX_MESSAGE_LENGTH, InvalidParams
from voip_rooms.params import MAX_INT32, MAX_SORT_KEYS, DateRange, RoomsParams, parse_rooms_params
from voip_rooms.settings import SETTINGS

STRINGS = SETTINGS.max_string_length
ITEMS = SETTINGS.max_array_length


def _refusal(query: Mapping[str, Sequence[str]] | None = None, body: Any = None) -> tuple[str, str]:
    raw = body if body is None or isinstance(body, str) else json.dumps(body)
    with pytest.raises(InvalidParams) as refused:
        parse_rooms_params(query, raw)
    return refused.value.message, refused.value.error_type


def _parsed(query: Mapping[str, Sequence[str]] | None = None, body: Any = None) -> RoomsParams:
    return parse_rooms_params(query, body if body is None or isinstance(body, str) else json.dumps(body))


def test_the_limits_are_the_documented_defaults() -> None:
    assert (STRINGS, ITEMS, MAX_SORT_KEYS, MAX_INT32) == (256, 100, 5, 2_147_483_647)


@pytest.mark.parametrize("name", ["queue", "visitorId", "roomName"])
def test_a_string_of_the_longest_length_is_accepted_and_one_longer_refused(name: str) -> None:
    field = {"queue": "queue", "visitorId": "visitor_id", "roomName": "room_name"}[name]
    assert getattr(_parsed({name: ["q" * STRINGS]}), field) == "q" * STRINGS
    assert _refusal({name: ["q" * (STRINGS + 1)]}) == (
        f'Invalid "{name}" parameter: expected 1 to {STRINGS} characters, no NUL or lone surrogate.',
        "invalid-params",
    )


def test_an_empty_string_is_no_filter() -> None:
    assert _parsed({"queue": [""]}).queue is None


def test_a_string_parameter_given_a_number_in_the_body_is_refused() -> None:
    assert _refusal(body={"queue": 7}) == (
        'Invalid "queue" parameter: Input should be a valid string.',
        "invalid-params",
    )


@pytest.mark.parametrize("name", ["agents", "tags"])
def test_a_list_of_the_most_items_is_accepted_and_one_more_refused(name: str) -> None:
    items = [f"i{n}" for n in range(ITEMS)]
    assert getattr(_parsed(body={name: items}), name) == tuple(items)
    assert _refusal(body={name: [*items, "one-more"]}) == (
        f'Invalid "{name}" parameter: at most {ITEMS} items are expected.',
        "invalid-params",
    )


def test_a_list_item_is_named_by_its_position_when_refused() -> None:
    assert (
        _refusal(body={"tags": ["ok", 3]})[0]
        == 'Invalid "tags[1]" parameter: Input should be a valid string.'
    )


def test_a_list_parameter_given_a_string_in_the_body_is_refused() -> None:
    assert (
        _refusal(body={"agents": "agent-1"})[0] == 'Invalid "agents" parameter: Input should be a valid list.'
    )


def test_the_most_sort_keys_are_accepted_and_one_more_refused() -> None:
    keys = {f"k{n}": 1 for n in range(MAX_SORT_KEYS)}
    assert _parsed(body={"sort": keys}).sort == tuple(keys.items())
    assert _refusal(body={"sort": {**keys, "one-more": 1}}) == (
        f'The "sort" parameter accepts at most {MAX_SORT_KEYS} fields.',
        "error-invalid-sort",
    )


@pytest.mark.parametrize(
    ("name", "flag", "error_type"), [("sort", 1, "error-invalid-sort"), ("fields", 1, "error-invalid-fields")]
)
def test_a_field_path_of_the_longest_length_is_accepted_and_one_longer_refused(
    name: str, flag: int, error_type: str
) -> None:
    longest = "a." + "p" * (STRINGS - 2)
    assert getattr(_parsed(body={name: {longest: flag}}), name) == ((longest, flag),)
    too_long = longest + "p"
    assert _refusal(body={name: {too_long: flag}}) == (
        f'The "{name}" parameter has an invalid field name "{too_long[:64]}".',
        error_type,
    )


def test_a_date_of_the_longest_length_is_accepted_and_one_longer_refused() -> None:
    longest = "2026-07-01T00:00:00." + "1" * 44
    assert len(longest) == 64
    assert _parsed(body={"createdAt": {"start": longest}}).created_at is not None
    assert _refusal(body={"createdAt": {"start": longest + "1"}}) == (
        'The "createdAt.start" query parameter must be a valid date.',
        "invalid-params",
    )


def test_a_date_range_may_start_and_end_at_the_same_moment_but_not_end_first() -> None:
    moment = "2026-07-01T12:00:00"
    assert _parsed(body={"closedAt": {"start": moment, "end": moment}}).closed_at is not None
    assert _refusal(body={"closedAt": {"start": moment, "end": "2026-07-01T11:59:59"}})[0] == (
        'The "closedAt.start" date must not be after "closedAt.end".'
    )


def test_a_date_range_names_the_first_unknown_bound() -> None:
    assert _refusal(body={"createdAt": {"start": "2026-07-01", "until": "x", "after": "y"}})[0] == (
        'The "createdAt" parameter accepts only "start" and "end", not "after".'
    )


@pytest.mark.parametrize("name", ["count", "offset"])
def test_the_largest_32_bit_integer_is_accepted_and_one_more_refused(name: str) -> None:
    message = (f'The "{name}" parameter must be an integer from 0 to {MAX_INT32}.', "invalid-params")
    assert getattr(_parsed({name: [str(MAX_INT32)]}), name) == MAX_INT32
    assert getattr(_parsed(body={name: MAX_INT32}), name) == MAX_INT32
    assert getattr(_parsed({name: ["0"]}), name) == 0
    assert _refusal({name: [str(MAX_INT32 + 1)]}) == message
    assert _refusal(body={name: MAX_INT32 + 1}) == message
    assert _refusal(body={name: -1}) == message


def test_a_query_string_integer_longer_than_ten_digits_is_refused_even_with_leading_zeros() -> None:
    assert _parsed({"count": ["0000000042"]}).count == 42
    assert _refusal({"count": ["00000000042"]})[0].startswith('The "count" parameter must be an integer')


@pytest.mark.parametrize("digits", ["\u0663", "\uff13", "1\u0663"])
def test_digits_of_other_scripts_are_refused(digits: str) -> None:
    assert (
        _refusal({"offset": [digits]})[0]
        == f'The "offset" parameter must be an integer from 0 to {MAX_INT32}.'
    )


@pytest.mark.parametrize("value", [True, 5.0, "5"])
def test_a_body_integer_must_be_a_json_integer(value: Any) -> None:
    assert _refusal(body={"count": value})[0].startswith('The "count" parameter must be an integer')


def test_brackets_make_a_list_only_of_a_list_parameter() -> None:
    assert _refusal({"count[]": ["5"]}) == ('Unknown parameter "count[]".', "invalid-params")
    assert _parsed({"tags[]": ["a"]}).tags == ("a",)


def test_a_single_value_parameter_given_twice_in_the_query_string_is_refused() -> None:
    assert _refusal({"queue": ["a", "b"]})[0] == 'The "queue" parameter must be given once.'


@pytest.mark.parametrize(
    ("query", "body", "expected"),
    [
        ({"open": ["true"], "Open": ["true"]}, None, True),
        ({"open": ["false"], "Open": ["false"]}, None, False),
        (None, {"open": True, "Open": True}, True),
        ({"Open": ["false"]}, None, False),
    ],
)
def test_open_and_the_documented_open_may_be_given_together_when_they_agree(
    query: Any, body: Any, expected: bool
) -> None:
    assert _parsed(query, body).open is expected


@pytest.mark.parametrize(
    ("query", "body"), [({"open": ["true"], "Open": ["false"]}, None), (None, {"open": False, "Open": True})]
)
def test_open_and_the_documented_open_disagreeing_are_refused(query: Any, body: Any) -> None:
    assert _refusal(query, body) == ('The "open" and "Open" parameters disagree.', "invalid-params")


def test_a_boolean_must_be_true_or_false() -> None:
    assert _refusal({"Open": ["yes"]})[0] == 'The "Open" parameter must be true or false.'
    assert _refusal(body={"open": 1})[0] == 'The "open" parameter must be true or false.'
    # Beside a valid "Open", an invalid "open" is named as itself.
    assert _refusal({"Open": ["true"], "open": ["yes"]})[0] == 'The "open" parameter must be true or false.'


def test_a_parameter_in_both_sources_with_different_values_is_refused_by_its_public_name() -> None:
    assert _refusal({"visitorId": ["a"]}, {"visitorId": "b"})[0] == (
        'The "visitorId" parameter is given twice with different values.'
    )
    assert _parsed({"visitorId": ["a"]}, {"visitorId": "a"}).visitor_id == "a"


def test_an_unknown_parameter_is_named_in_the_refusal() -> None:
    assert _refusal({"agent": ["a"]})[0] == 'Unknown parameter "agent".'
    assert _refusal(body={"limit": 5})[0] == 'Unknown parameter "limit".'


def test_the_direction_must_be_inbound_or_outbound() -> None:
    assert _parsed({"direction": ["outbound"]}).direction == "outbound"
    assert _refusal({"direction": ["sideways"]})[0] == (
        "Invalid \"direction\" parameter: Input should be 'inbound' or 'outbound'."
    )


# --- fields ---


def test_fields_may_ask_for_the_id_beside_included_fields() -> None:
    assert _parsed(body={"fields": {"_id": 1, "name": 1}}).fields == (("_id", 1), ("name", 1))
    assert _parsed(body={"fields": {"_id": 0, "name": 1}}).fields == (("_id", 0), ("name", 1))
    assert _parsed(body={"fields": {"_id": 1}}).fields == (("_id", 1),)


def test_fields_refuse_the_id_included_beside_excluded_fields() -> None:
    assert _refusal(body={"fields": {"_id": 1, "msgs": 0}}) == (
        'The "fields" parameter cannot mix included (1) and excluded (0) fields.',
        "error-invalid-fields",
    )


def test_a_fields_value_must_be_zero_or_one() -> None:
    assert _refusal(body={"fields": {"name": 2}}) == (
        'The "fields" value of "name" must be 0 or 1.',
        "error-invalid-fields",
    )
    assert _refusal(body={"fields": {"name": True}})[0] == 'The "fields" value of "name" must be 0 or 1.'


@pytest.mark.parametrize(
    ("spec", "parent", "child"),
    [
        ({"a.b": 1, "a.b.c": 1}, "a.b", "a.b.c"),
        ({"a": 0, "a.b.c": 0}, "a", "a.b.c"),
        ({"v.x.y": 1, "v.x": 1}, "v.x", "v.x.y"),
    ],
)
def test_fields_paths_that_overlap_at_any_depth_are_refused(
    spec: dict[str, int], parent: str, child: str
) -> None:
    assert _refusal(body={"fields": spec}) == (
        f'The "fields" paths "{parent}" and "{child}" overlap.',
        "error-invalid-fields",
    )


def test_the_first_given_of_several_overlapping_parents_is_named() -> None:
    body = {"fields": {"a.b.c.d": 1, "a.b": 1, "a": 1}}
    assert _refusal(body=body)[0] == 'The "fields" paths "a.b" and "a.b.c.d" overlap.'


def _calls_made_parsing(body: dict[str, Any]) -> int:
    """Function calls made while parsing a body: a count of work that no machine's speed changes."""
    calls = 0

    def count(frame: Any, event: str, arg: Any) -> None:
        nonlocal calls
        calls += event in ("call", "c_call")

    raw = json.dumps(body)
    sys.setprofile(count)
    try:
        parse_rooms_params(None, raw)
    finally:
        sys.setprofile(None)
    return calls


@pytest.mark.parametrize(
    "make_path",
    [lambda n: f"field{n}", lambda n: f"v.deep.path.of.field{n}.below"],
    ids=["flat", "dotted"],
)
def test_the_work_of_checking_fields_grows_with_their_number_not_its_square(
    make_path: Callable[[int], str],
) -> None:
    # Twice the paths, about twice the work: comparing every path with every other made one body of
    # 1,700 keys cost most of a second of CPU.
    smaller = _calls_made_parsing({"fields": {make_path(n): 1 for n in range(300)}})
    larger = _calls_made_parsing({"fields": {make_path(n): 1 for n in range(600)}})
    assert larger < 2.3 * smaller, (smaller, larger)


def test_fields_paths_that_share_only_a_prefix_of_letters_do_not_overlap() -> None:
    assert _parsed(body={"fields": {"v.name": 1, "v.names": 1}}).fields == (("v.name", 1), ("v.names", 1))


@pytest.mark.parametrize("path", ["", "a..b", "$where", "a.$b", "a\x00b"])
def test_a_field_path_with_an_empty_or_operator_part_is_refused(path: str) -> None:
    message, error_type = _refusal(body={"sort": {path: 1}})
    assert message.startswith('The "sort" parameter has an invalid field name')
    assert error_type == "error-invalid-sort"


# --- not JSON ---


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_wherever_they_are_sent(constant: str) -> None:
    assert _refusal(body=f'{{"count": {constant}}}') == (
        "The request body must be a JSON object.",
        "invalid-params",
    )
    assert _refusal({"sort": [f'{{"ts": {constant}}}']}) == (
        'The "sort" parameter must be a JSON object.',
        "error-invalid-sort",
    )
    assert _refusal({"fields": [f'{{"ts": {constant}}}']}) == (
        'The "fields" parameter must be a JSON object.',
        "error-invalid-fields",
    )
    assert _refusal({"createdAt": [f'{{"start": {constant}}}']}) == (
        'The "createdAt" parameter must be a JSON object.',
        "invalid-params",
    )


@pytest.mark.parametrize("body", ["[]", '"text"', "7", "{"])
def test_a_body_that_is_not_a_json_object_is_refused(body: str) -> None:
    assert _refusal(body=body) == ("The request body must be a JSON object.", "invalid-params")


def test_a_date_range_that_is_not_an_object_is_refused() -> None:
    assert (
        _refusal(body={"createdAt": ["2026-07-01"]})[0] == 'The "createdAt" parameter must be a JSON object.'
    )


# --- the echo of what the caller sent is capped ---


def test_a_refusal_message_of_the_longest_length_is_kept_whole() -> None:
    message = "m" * MAX_MESSAGE_LENGTH
    assert InvalidParams(message).message == message


def test_a_longer_refusal_message_is_cut_to_the_longest_length_with_an_ellipsis() -> None:
    cut = InvalidParams("m" * (MAX_MESSAGE_LENGTH + 1)).message
    assert cut == "m" * (MAX_MESSAGE_LENGTH - 1) + "…"
    assert MAX_MESSAGE_LENGTH == 300


def test_an_echoed_unknown_name_is_capped_in_the_answer() -> None:
    message, _ = _refusal({"x" * 1000: ["1"]})
    assert message == ('Unknown parameter "' + "x" * 1000)[: MAX_MESSAGE_LENGTH - 1] + "…"


def test_a_lone_surrogate_in_a_message_is_escaped() -> None:
    assert InvalidParams("bad \ud800 name").message == "bad \\ud800 name"


def test_an_invalid_parameter_has_the_generic_type_unless_told_otherwise() -> None:
    assert InvalidParams("x").error_type == "invalid-params"
    assert str(InvalidParams("x")) == "x"


def test_dates_with_offsets_become_naive_utc() -> None:
    params = _parsed(body={"createdAt": {"end": "2026-07-01T23:30:00-01:00"}})
    assert params.created_at == DateRange(end=datetime(2026, 7, 2, 0, 30))


@pytest.mark.parametrize("bound", [5, "", ["2026-07-01"]])
def test_a_date_bound_that_is_not_a_date_string_is_refused(bound: Any) -> None:
    assert _refusal(body={"createdAt": {"start": bound}}) == (
        'The "createdAt.start" query parameter must be a valid date.',
        "invalid-params",
    )


def test_a_null_date_bound_is_no_bound() -> None:
    assert _parsed(body={"createdAt": {"start": None, "end": "2026-07-01"}}).created_at == DateRange(
        end=datetime(2026, 7, 1)
    )


def test_a_lone_surrogate_or_nul_in_a_string_is_refused() -> None:
    assert _refusal(body='{"queue": "a\\ud800"}')[0].startswith('Invalid "queue" parameter: expected 1 to')
    assert _refusal(body='{"queue": "a\\u0000"}')[0].startswith('Invalid "queue" parameter: expected 1 to')


@pytest.mark.usefixtures("machine_in_another_time_zone")
def test_dates_with_offsets_become_utc_whatever_the_machines_time_zone() -> None:
    params = _parsed(body={"createdAt": {"start": "2026-07-01T23:30:00+02:00"}})
    assert params.created_at == DateRange(start=datetime(2026, 7, 1, 21, 30))


@pytest.mark.parametrize("after", [5, "", ["x"], None])
def test_an_after_that_is_not_a_cursor_text_is_refused(after: Any) -> None:
    assert _refusal(body={"after": after}) == (
        'Invalid "after" parameter: expected a cursor from "next".',
        "invalid-params",
    )
