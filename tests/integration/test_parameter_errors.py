"""§1 and §5 of the contract: every bad parameter is a 400 naming it, and never reaches the database."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import ApiClient, room


def _refused(
    api: ApiClient, query: str | dict[str, Any] = "", body: Any = None, error_type: str = "invalid-params"
) -> str:
    answer = api.get(query, body=body)
    assert answer.status == 400, answer.body
    assert answer.body["success"] is False
    assert answer.body["errorType"] == error_type
    assert answer.body["error"].endswith(f" [{error_type}]")
    assert set(answer.body) == {"success", "error", "errorType"}
    return str(answer.body["error"])


@pytest.mark.parametrize(
    ("query", "body", "named"),
    [
        ("queue[$ne]=x", None, "queue[$ne]"),
        ("agents[$in]=x", None, "agents[$in]"),
        ("", {"queue": {"$ne": None}}, "queue"),
        ("", {"visitorId": {"$gt": ""}}, "visitorId"),
        ("", {"agents": [{"$ne": "x"}]}, "agents[0]"),
        ("", {"tags": {"$where": "sleep(1000)"}}, "tags"),
        ("", {"roomName": ["a"]}, "roomName"),
        ("", {"$where": "1 == 1"}, "$where"),
        ("", {"createdAt": {"start": {"$gt": 0}}}, "createdAt.start"),
    ],
)
def test_operators_are_refused_and_never_reach_the_database(
    api: ApiClient, rooms_never_read: list[Any], query: str, body: Any, named: str
) -> None:
    api.add_rooms(room())
    assert f'"{named}' in _refused(api, query, body)
    assert rooms_never_read == []


def test_unknown_parameter_is_named(api: ApiClient) -> None:
    assert _refused(api, "foo=1") == 'Unknown parameter "foo". [invalid-params]'
    assert 'Unknown parameter "bar"' in _refused(api, body={"bar": 1})


@pytest.mark.parametrize(
    "query",
    [
        "count=-1",
        "count=1.5",
        "count=abc",
        "count=2147483648",
        "count=",
        "offset=-1",
        "offset=x",
        "offset=2147483648",
        "count=99999999999999999999",
    ],
)
def test_paging_parameters_must_be_integers_in_range(api: ApiClient, query: str) -> None:
    name = query.split("=", maxsplit=1)[0]
    assert f'"{name}"' in _refused(api, query)


@pytest.mark.parametrize("body", [{"count": "5"}, {"count": 1.5}, {"count": True}, {"offset": -3}])
def test_paging_parameters_in_the_body_must_be_json_integers(api: ApiClient, body: dict[str, Any]) -> None:
    _refused(api, body=body)


@pytest.mark.parametrize(
    "sort",
    [
        "{bad json",
        "[1]",
        '{"ts": 2}',
        '{"ts": "1"}',
        '{"ts": true}',
        '{"$where": 1}',
        '{"a..b": 1}',
        '{"a.$x": 1}',
        '{"": 1}',
        '{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1}',
    ],
)
def test_invalid_sort_is_refused(api: ApiClient, sort: str) -> None:
    assert '"sort"' in _refused(api, {"sort": sort}, error_type="error-invalid-sort")


@pytest.mark.parametrize(
    "fields",
    [
        "{bad",
        '"fname"',
        '{"fname": 2}',
        '{"fname": 1, "msgs": 0}',
        '{"msgs": 0, "_id": 1}',
        '{"$where": 1}',
        '{"v": 1, "v.token": 1}',
    ],
)
def test_invalid_fields_are_refused(api: ApiClient, fields: str) -> None:
    assert '"fields"' in _refused(api, {"fields": fields}, error_type="error-invalid-fields")


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "not json", "{", "null", "1"])
def test_body_that_is_not_a_json_object_is_refused(api: ApiClient, body: str) -> None:
    assert "JSON object" in _refused(api, body=body)


def test_unparsable_date_names_the_bound(api: ApiClient) -> None:
    message = _refused(api, {"createdAt": '{"start": "yesterday"}'})
    assert message == 'The "createdAt.start" query parameter must be a valid date. [invalid-params]'
    assert '"closedAt.end"' in _refused(api, body={"closedAt": {"end": "2026-13-01"}})


@pytest.mark.parametrize(
    "value",
    ["not json", '["2026-01-01"]', '{"from": "2026-01-01"}', '{"start": "2026-02-01", "end": "2026-01-01"}'],
)
def test_malformed_date_ranges_are_refused(api: ApiClient, value: str) -> None:
    assert '"createdAt' in _refused(api, {"createdAt": value})


@pytest.mark.parametrize(
    "query", ["open=yes", "open=1", "Open=TRUE", "direction=sideways", "open=", "queue=a&queue=b"]
)
def test_malformed_scalar_filters_are_refused(api: ApiClient, query: str) -> None:
    _refused(api, query)


def test_open_and_open_spellings_that_disagree_are_refused(api: ApiClient) -> None:
    assert '"open"' in _refused(api, "open=true&Open=false")
    assert '"open"' in _refused(api, body={"open": True, "Open": False})


def test_same_parameter_in_query_and_body_with_different_values_is_refused(api: ApiClient) -> None:
    assert '"queue"' in _refused(api, "queue=sales", body={"queue": "support"})
    assert '"open"' in _refused(api, "open=true", body={"Open": False})


def test_strings_and_arrays_are_bounded(api: ApiClient) -> None:
    assert '"queue"' in _refused(api, {"queue": "q" * 257})
    assert '"tags"' in _refused(api, body={"tags": [f"t{n}" for n in range(101)]})
