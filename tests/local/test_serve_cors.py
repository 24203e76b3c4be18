"""`voip-rooms serve` honours CORS_ALLOWED_ORIGINS as the deployed function does."""

from __future__ import annotations

import urllib.request
from urllib.error import HTTPError

from tests.local.conftest import Server, server_printed
from voip_rooms_local.demo import DEMO_USERS

ORIGIN = "http://localhost:5173"
ADMIN = {"X-User-Id": DEMO_USERS[0].user_id, "X-Auth-Token": DEMO_USERS[0].token}


def _exchange(url: str, method: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}
    except HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}


def test_a_browser_on_the_allowed_origin_passes_the_preflight_and_reads_the_rooms(
    cors_server: Server,
) -> None:
    process, base = cors_server
    assert server_printed(process, f"voip-rooms: browsers may call it from {ORIGIN}")
    url = f"{base}/api/v1/voip/rooms?count=1"
    status, headers = _exchange(
        url,
        "OPTIONS",
        {
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-user-id",
        },
    )
    assert status == 204
    assert (headers["access-control-allow-origin"], headers["access-control-allow-methods"]) == (
        ORIGIN,
        "GET",
    )
    status, headers = _exchange(url, "GET", {"Origin": ORIGIN, **ADMIN})
    assert status == 200
    assert headers["access-control-allow-origin"] == ORIGIN
    assert headers["vary"] == "Origin"


def test_another_origin_is_not_let_in(cors_server: Server) -> None:
    _, base = cors_server
    status, headers = _exchange(
        f"{base}/api/v1/voip/rooms",
        "OPTIONS",
        {"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET"},
    )
    assert (status, headers["allow"]) == (405, "GET")
    assert not [name for name in headers if name.startswith("access-control-")]
