"""The local server under load on loopback: 50 concurrent clients, 5,000 requests, nothing lost;
and a client that disconnects mid-request does not hurt the next ones."""

from __future__ import annotations

import http.client
import json
import socket
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from tests.local.conftest import Server
from voip_rooms_local.demo import DEMO_USERS

CLIENTS, REQUESTS = 50, 5_000
ADMIN, AGENT = DEMO_USERS[0], DEMO_USERS[2]


def _client_session(base: str, requests: int, offset: int) -> list[tuple[int, int]]:
    """One keep-alive client sending requests in turn; (status, rooms counted) per answer."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    answers = []
    try:
        for number in range(requests):
            if (number + offset) % 3 == 0:
                path, user = f"/api/v1/voip/rooms?agents[]={AGENT.user_id}&count=3", AGENT
            else:
                path, user = f"/api/v1/voip/rooms?open=true&count=5&offset={number % 20}", ADMIN
            connection.request("GET", path, headers={"X-User-Id": user.user_id, "X-Auth-Token": user.token})
            response = connection.getresponse()
            body = json.loads(response.read())
            answers.append((response.status, body.get("count", -1)))
    finally:
        connection.close()
    return answers


def test_fifty_concurrent_clients_get_every_one_of_five_thousand_answers(small_server: Server) -> None:
    _, base = small_server
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        sessions = list(pool.map(lambda n: _client_session(base, REQUESTS // CLIENTS, n), range(CLIENTS)))
    answers = [answer for session in sessions for answer in session]
    assert len(answers) == REQUESTS
    assert {status for status, _ in answers} == {200}
    assert all(count >= 0 for _, count in answers)


def test_a_client_that_disconnects_mid_request_does_not_hurt_the_next_ones(small_server: Server) -> None:
    _, base = small_server
    address = urlsplit(base)
    for _ in range(5):
        # Headers promise a body that never comes; then the client hangs up.
        with socket.create_connection(("127.0.0.1", address.port or 0), timeout=5) as sock:
            sock.sendall(b'GET /api/v1/voip/rooms HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"open"')
        with socket.create_connection(("127.0.0.1", address.port or 0), timeout=5) as sock:
            sock.sendall(b"GET /api/v1/voip/rooms HTTP/1.1\r\nHost: x\r\n")  # not even the end of the headers
    answers = _client_session(base, 10, 1)
    assert [status for status, _ in answers] == [200] * 10
