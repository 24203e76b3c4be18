"""A real `voip-rooms serve` process on a free port, answering real HTTP requests."""

from __future__ import annotations

import http.client
import json
import re
import signal
import socket
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.error import HTTPError

import pytest

from tests.local.conftest import server_output, server_printed
from voip_rooms_local.demo import DEMO_USERS

ADMIN = DEMO_USERS[0]


def _request(
    url: str, *, headers: dict[str, str] | None = None, body: bytes | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], dict[str, object]]:
    request = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def _page(url: str) -> tuple[int, dict[str, str], str]:
    """A page or asset the server answers with 200: its status, headers and text."""
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, dict(response.headers), response.read().decode("utf-8")


def test_documented_example_without_credentials_answers_401(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    status, headers, body = _request(
        f"{base}/api//v1/voip/rooms",
        headers={"Content-type": "application/json"},
        body=b'{"open": true }',
        method="GET",
    )
    assert status == 401
    assert body["message"] == "You must be logged in to do this."
    assert headers["Content-Type"] == "application/json"


def test_documented_example_as_demo_admin_lists_only_open_rooms(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    headers = {"Content-type": "application/json", "X-User-Id": ADMIN.user_id, "X-Auth-Token": ADMIN.token}
    status, _, body = _request(f"{base}/api//v1/voip/rooms", headers=headers, body=b'{"open": true }')
    assert status == 200
    rooms = body["rooms"]
    assert isinstance(rooms, list)
    assert rooms
    assert all(room["open"] is True and room["t"] == "v" for room in rooms)
    assert body["total"] == len(rooms)


def test_query_string_filters_through_the_server(server: tuple[subprocess.Popen[str], str]) -> None:
    _, base = server
    agent = DEMO_USERS[2]
    headers = {"X-User-Id": agent.user_id, "X-Auth-Token": agent.token}
    status, _, body = _request(
        f"{base}/api/v1/voip/rooms?agents[]={agent.user_id}&count=3&offset=1", headers=headers
    )
    assert status == 200
    assert body["count"] == 3
    assert body["offset"] == 1
    assert all(room["servedBy"]["_id"] == agent.user_id for room in body["rooms"])  # type: ignore[attr-defined]


def test_undecodable_query_string_is_a_json_400(server: tuple[subprocess.Popen[str], str]) -> None:
    _, base = server
    status, _, body = _request(f"{base}/api/v1/voip/rooms?queue=%ff%fe", headers=_admin_headers())
    assert status == 400
    assert body["success"] is False


def test_body_that_is_not_utf8_reaches_the_handler_as_base64_and_is_refused(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    status, _, body = _request(f"{base}/api/v1/voip/rooms", headers=_admin_headers(), body=b"\xff\xfe{")
    assert status == 400
    assert body["errorType"] == "invalid-params"


def test_url_too_long_for_the_http_layer_still_gets_a_json_error(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    status, headers, body = _request(f"{base}/api/v1/voip/rooms?queue={'q' * 70_000}")
    assert status == 414
    assert headers["Content-Type"] == "application/json"
    assert body["success"] is False


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "QUERY", "BREW"])
def test_every_other_method_reaches_the_function_and_gets_its_405(
    server: tuple[subprocess.Popen[str], str], method: str
) -> None:
    _, base = server
    status, headers, body = _request(f"{base}/api/v1/voip/rooms", headers=_admin_headers(), method=method)
    assert (status, headers["Allow"], body["success"]) == (405, "GET", False)


def _admin_headers() -> dict[str, str]:
    return {"X-User-Id": ADMIN.user_id, "X-Auth-Token": ADMIN.token}


def test_the_swagger_ui_is_served_whole_from_the_package_with_no_outside_asset(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    status, headers, page = _page(f"{base}/api/v1/voip/rooms/docs")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert "SwaggerUIBundle(swaggerUIOptions)" in page
    # Powertools inlines its copy of the Swagger UI: no script or stylesheet is fetched from anywhere.
    assert not re.search(r"<script[^>]+src=|<link[^>]+stylesheet", page)


def test_the_swagger_ui_offers_the_openapi_document_with_the_credential_headers_as_security(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    status, headers, document = _request(f"{base}/api/v1/voip/rooms/docs?format=json")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert document["servers"] == [{"url": "/"}]
    assert document["security"] == [{"userId": [], "authToken": []}]
    schemes = document["components"]["securitySchemes"]  # type: ignore[index]
    assert {scheme["name"] for scheme in schemes.values()} == {"X-User-Id", "X-Auth-Token"}
    assert "/api/v1/voip/rooms" in document["paths"]  # type: ignore[operator]


def test_the_swagger_ui_serves_the_published_document(server: tuple[subprocess.Popen[str], str]) -> None:
    # The committed openapi.json documents no 422 (the API never answers one): the page must not either.
    _, base = server
    _, _, served = _request(f"{base}/api/v1/voip/rooms/docs?format=json")
    published = json.loads((Path(__file__).resolve().parents[2] / "openapi.json").read_text())
    assert {key: value for key, value in served.items() if key != "servers"} == {
        key: value for key, value in published.items() if key != "servers"
    }


def test_the_calls_page_is_on_and_its_assets_come_from_the_package(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    status, headers, page = _page(f"{base}/voip-calls")
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # The function's headers reach the browser as a front door passes them.
    assert headers["Content-Security-Policy"].startswith("default-src 'none'")
    stylesheet = re.search(r'href="(voip-calls/assets/calls\.[0-9a-f]+\.css)"', page)
    assert stylesheet
    _, headers, _ = _page(f"{base}/{stylesheet.group(1)}")
    assert headers["Content-Type"] == "text/css; charset=utf-8"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_serve_prints_where_the_calls_page_is(server: tuple[subprocess.Popen[str], str]) -> None:
    process, base = server
    assert server_printed(
        process, f"voip-rooms: the Calls page is {base}/voip-calls (sign in as a demo user below)"
    )


def test_with_the_calls_page_off_serve_answers_its_path_with_404(
    calls_page_off_server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = calls_page_off_server
    status, _, body = _request(f"{base}/voip-calls")
    assert (status, body) == (404, {"success": False, "error": "Not found"})


def _send_with_repeats(
    base: str, target: str, headers: list[tuple[str, str]]
) -> tuple[int, dict[str, object]]:
    """A request carrying a header more than once, as urllib cannot send it."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=60)
    try:
        connection.putrequest("GET", target)
        for name, value in headers:
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.parametrize(
    "tokens", [["wrong-token", ADMIN.token], [ADMIN.token, "wrong-token"], [ADMIN.token, ADMIN.token]]
)
def test_a_credential_sent_twice_is_absent_as_deployed(
    server: tuple[subprocess.Popen[str], str], tokens: list[str]
) -> None:
    _, base = server
    headers = [("X-User-Id", ADMIN.user_id), *(("X-Auth-Token", token) for token in tokens)]
    status, body = _send_with_repeats(base, "/api/v1/voip/rooms?count=1", headers)
    assert status == 401, body


def test_repeated_headers_and_parameters_reach_the_function_as_api_gateway_sends_them(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    credentials = [("X-User-Id", ADMIN.user_id), ("X-Auth-Token", ADMIN.token)]
    status, body = _send_with_repeats(base, "/api/v1/voip/rooms?count=1&count=2", credentials)
    assert status == 400, body
    assert "count" in str(body["error"])


def _send_raw(base: str, request: bytes) -> tuple[int, dict[str, object]]:
    """Bytes as a client writes them on the wire, and the answer's status and JSON body."""
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=60)
    try:
        connection.connect()
        assert connection.sock is not None
        connection.sock.sendall(request)
        response = http.client.HTTPResponse(connection.sock, method="GET")
        response.begin()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def _chunked_get(body: bytes) -> bytes:
    return (
        b"GET /api/v1/voip/rooms HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + f"X-User-Id: {ADMIN.user_id}\r\nX-Auth-Token: {ADMIN.token}\r\n".encode()
        + b"Transfer-Encoding: chunked\r\n\r\n"
        + body
    )


def test_a_chunked_body_is_read_whole_as_a_front_door_reads_it(
    server: tuple[subprocess.Popen[str], str],
) -> None:
    _, base = server
    chunks = b'5\r\n{"ope\r\nA;ext=1\r\nn": true }\r\n0\r\nX-Trailer: t\r\n\r\n'
    status, body = _send_raw(base, _chunked_get(chunks))
    assert (status, body["total"]) == (200, 24), "the open calls only: the body was read"


@pytest.mark.parametrize(
    "chunks", [b"zz\r\nab\r\n0\r\n\r\n", b"9\r\nshort\r\n0\r\n\r\n"], ids=["size", "length"]
)
def test_a_malformed_chunked_body_is_a_json_400(
    server: tuple[subprocess.Popen[str], str], chunks: bytes
) -> None:
    _, base = server
    status, body = _send_raw(base, _chunked_get(chunks))
    assert (status, body) == (400, {"success": False, "error": "Malformed chunked body"})


@pytest.mark.parametrize(
    "refused",
    [
        _chunked_get(b"zz\r\n"),
        _chunked_get(b"FFFFFFFF\r\n"),
        b"GET /api/v1/voip/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n",
    ],
    ids=["malformed chunk", "chunk too large", "content-length too large"],
)
def test_a_refused_body_closes_the_connection_so_its_bytes_are_never_a_next_request(
    server: tuple[subprocess.Popen[str], str], refused: bytes
) -> None:
    _, base = server
    smuggled = (
        b"GET /api/v1/voip/rooms HTTP/1.1\r\nHost: x\r\n"
        + f"X-User-Id: {ADMIN.user_id}\r\nX-Auth-Token: {ADMIN.token}\r\n\r\n".encode()
    )
    address = urllib.parse.urlsplit(base)
    with socket.create_connection((address.hostname or "127.0.0.1", address.port or 0), timeout=60) as sock:
        sock.sendall(refused + smuggled)
        answered = b""
        while chunk := sock.recv(65536):
            answered += chunk
    assert answered.count(b"HTTP/1.1 ") == 1, answered[:300]
    assert answered.startswith((b"HTTP/1.1 400", b"HTTP/1.1 413"))


def test_ctrl_c_stops_the_server_cleanly(server: tuple[subprocess.Popen[str], str]) -> None:
    process, _ = server
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0
    assert "stopped" in server_output(process)
    assert process.stderr is not None
    assert "Traceback" not in process.stderr.read()
