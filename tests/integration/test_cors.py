"""CORS (CORS_ALLOWED_ORIGINS): one policy through every front door's events; none when it is empty."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import pytest

from voip_rooms import handler, listing
from voip_rooms.errors import DatabaseUnavailable
from voip_rooms.handler import lambda_handler
from voip_rooms.settings import SETTINGS, Settings
from voip_rooms_local.demo import DEMO_USERS
from voip_rooms_local.events import EVENT_BUILDERS, LocalLambdaContext

DASHBOARD = "https://dashboard.example.com"
OPS = "http://localhost:5173"
ELSEWHERE = "https://evil.example.net"
ADMIN = {"X-User-Id": DEMO_USERS[0].user_id, "X-Auth-Token": DEMO_USERS[0].token}
USER = {"X-User-Id": "demo-user", "X-Auth-Token": "demo-user-token"}
DOORS = sorted(EVENT_BUILDERS)
PREFLIGHT = {
    "Access-Control-Request-Method": "GET",
    "Access-Control-Request-Headers": "x-user-id,x-auth-token",
}


@pytest.fixture
def cors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The function as configured with CORS_ALLOWED_ORIGINS, its resolvers built afresh."""
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, cors_allowed_origins=(DASHBOARD, OPS)))
    monkeypatch.setattr(handler, "_resolvers", {})


@pytest.fixture
def no_cors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(handler, "SETTINGS", replace(SETTINGS, cors_allowed_origins=()))
    monkeypatch.setattr(handler, "_resolvers", {})


def _call(door: str, request_line: str, headers: dict[str, str]) -> dict[str, Any]:
    """Send "METHOD /path?query" through one front door's event."""
    method, _, target = request_line.partition(" ")
    path, _, query = target.partition("?")
    event = EVENT_BUILDERS[door](method, path, headers=headers, query_string=query)
    result: dict[str, Any] = lambda_handler(event, LocalLambdaContext())
    return result


def _headers(result: dict[str, Any]) -> dict[str, str]:
    """The answer's headers, names lower-cased, whichever shape the front door answers in."""
    single = {name.lower(): str(value) for name, value in (result.get("headers") or {}).items()}
    multi = {
        name.lower(): ",".join(str(v) for v in values)
        for name, values in (result.get("multiValueHeaders") or {}).items()
    }
    return single | multi


def _cors_headers(result: dict[str, Any]) -> dict[str, str]:
    return {name: value for name, value in _headers(result).items() if name.startswith("access-control-")}


@pytest.mark.usefixtures("cors", "demo_db")
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("path", ["/api/v1/voip/rooms", "/api//v1/voip/rooms"])
@pytest.mark.parametrize("origin", [DASHBOARD, OPS])
def test_a_preflight_from_an_allowed_origin_is_answered_with_its_policy(
    door: str, path: str, origin: str
) -> None:
    result = _call(door, f"OPTIONS {path}", {"Origin": origin, **PREFLIGHT})
    assert result["statusCode"] == 204
    headers = _headers(result)
    assert headers["access-control-allow-origin"] == origin
    assert headers["vary"] == "Origin"
    assert headers["access-control-allow-methods"] == "GET"
    allowed = {name.strip().lower() for name in headers["access-control-allow-headers"].split(",")}
    assert {"x-user-id", "x-auth-token", "content-type"} <= allowed
    assert headers["access-control-max-age"] == "600"


@pytest.mark.usefixtures("cors", "demo_db")
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("request_line", "headers", "status"),
    [
        ("GET /api/v1/voip/rooms?count=1", ADMIN, 200),
        ("GET /api/v1/voip/rooms?count=abc", ADMIN, 400),
        ("GET /api/v1/voip/rooms", {}, 401),
        ("GET /api/v1/voip/rooms", USER, 403),
        ("GET /api/v1/voip/nothing", ADMIN, 404),
        ("POST /api/v1/voip/rooms", ADMIN, 405),
    ],
)
def test_every_answer_to_an_allowed_origin_names_that_origin(
    door: str, request_line: str, headers: dict[str, str], status: int
) -> None:
    result = _call(door, request_line, {"Origin": DASHBOARD, **headers})
    assert result["statusCode"] == status
    assert _headers(result)["access-control-allow-origin"] == DASHBOARD
    assert _headers(result)["vary"] == "Origin"


@pytest.mark.usefixtures("cors", "demo_db")
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize(
    ("fault", "status"),
    [(DatabaseUnavailable("ServerSelectionTimeoutError"), 503), (RuntimeError("bug"), 500)],
)
def test_a_failure_answer_names_the_allowed_origin_too(
    door: str, fault: Exception, status: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*_: Any) -> Any:
        raise fault

    monkeypatch.setattr(listing, "_listing", failing)
    result = _call(door, "GET /api/v1/voip/rooms", {"Origin": DASHBOARD, **ADMIN})
    assert result["statusCode"] == status
    assert _headers(result)["access-control-allow-origin"] == DASHBOARD


@pytest.mark.usefixtures("cors", "demo_db")
@pytest.mark.parametrize("door", DOORS)
def test_any_other_origin_gets_no_cors_headers_and_no_preflight(door: str) -> None:
    listing = _call(door, "GET /api/v1/voip/rooms", {"Origin": ELSEWHERE, **ADMIN})
    assert listing["statusCode"] == 200
    assert _cors_headers(listing) == {}
    preflight = _call(door, "OPTIONS /api/v1/voip/rooms", {"Origin": ELSEWHERE, **PREFLIGHT})
    assert preflight["statusCode"] == 405
    assert _headers(preflight)["allow"] == "GET"
    assert _cors_headers(preflight) == {}


@pytest.mark.usefixtures("cors", "demo_db")
@pytest.mark.parametrize("door", DOORS)
def test_options_that_is_no_preflight_to_the_endpoint_stays_a_clear_refusal(door: str) -> None:
    without_origin = _call(door, "OPTIONS /api/v1/voip/rooms", {})
    assert (without_origin["statusCode"], _headers(without_origin)["allow"]) == (405, "GET")
    other_path = _call(door, "OPTIONS /api/v1/voip/other", {"Origin": DASHBOARD, **PREFLIGHT})
    assert other_path["statusCode"] == 404
    assert "access-control-allow-methods" not in _headers(other_path)


@pytest.mark.usefixtures("no_cors", "demo_db")
@pytest.mark.parametrize("door", DOORS)
def test_with_the_setting_empty_nothing_changes(door: str) -> None:
    preflight = _call(door, "OPTIONS /api/v1/voip/rooms", {"Origin": DASHBOARD, **PREFLIGHT})
    assert preflight["statusCode"] == 405
    assert _headers(preflight)["allow"] == "GET"
    listing = _call(door, "GET /api/v1/voip/rooms", {"Origin": DASHBOARD, **ADMIN})
    assert listing["statusCode"] == 200
    assert _cors_headers(listing) == {}
    assert "vary" not in _headers(listing)


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("", ()),
        ("https://dashboard.example.com", ("https://dashboard.example.com",)),
        (
            " https://a.example.com , http://localhost:5173,",
            ("https://a.example.com", "http://localhost:5173"),
        ),
    ],
)
def test_the_setting_is_a_comma_separated_list_of_origins(
    value: str, origins: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", value)
    assert Settings.from_env().cors_allowed_origins == origins


@pytest.mark.parametrize(
    ("value", "origin"),
    [
        ("https://Dashboard.EXAMPLE.com", "https://dashboard.example.com"),
        ("HTTPS://dashboard.example.com:443", "https://dashboard.example.com"),
        ("http://localhost:80", "http://localhost"),
        ("https://dashboard.example.com:8443", "https://dashboard.example.com:8443"),
        ("http://localhost:443", "http://localhost:443"),
        ("http://[2001:DB8::1]:80", "http://[2001:db8::1]"),
        ("http://localhost:65535", "http://localhost:65535"),
    ],
)
def test_an_origin_is_kept_as_browsers_send_it(
    value: str, origin: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", value)
    assert Settings.from_env().cors_allowed_origins == (origin,)


@pytest.mark.usefixtures("demo_db")
@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("configured", ["https://Dashboard.Example.com", "https://dashboard.example.com:443"])
def test_a_browser_is_allowed_whatever_case_or_default_port_the_origin_was_configured_with(
    door: str, configured: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", configured)
    monkeypatch.setattr(handler, "SETTINGS", Settings.from_env())
    monkeypatch.setattr(handler, "_resolvers", {})
    preflight = _call(door, "OPTIONS /api/v1/voip/rooms", {"Origin": DASHBOARD, **PREFLIGHT})
    assert preflight["statusCode"] == 204
    assert _headers(preflight)["access-control-allow-origin"] == DASHBOARD
    listing = _call(door, "GET /api/v1/voip/rooms", {"Origin": DASHBOARD, **ADMIN})
    assert _headers(listing)["access-control-allow-origin"] == DASHBOARD


@pytest.mark.parametrize(
    "value",
    [
        "*",
        "https://*.example.com",
        "dashboard.example.com",
        "https://a.example.com/",
        "ftp://a.example",
        "https://a.example.com:",
        "https://a.example.com:99999",
        "https://a.example.com:65536",
        "https://user@a.example.com",
        "https://bücher.example",
    ],
)
def test_anything_but_exact_origins_is_refused_at_start(value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CORS_ALLOWED_ORIGINS", value)
    message = "CORS_ALLOWED_ORIGINS takes exact origins such as https://dashboard.example.com or http://localhost:5173"
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        Settings.from_env()
