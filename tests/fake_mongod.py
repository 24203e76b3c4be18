"""A minimal MongoDB wire-protocol server on loopback, for fault tests that need a real driver.

It speaks just enough of the protocol for pymongo (the OP_QUERY handshake, OP_MSG commands),
runs find and aggregate against an in-process mongomock database, and answers buildInfo with a
server version of the test's choosing. It can drop the first read of a
collection without answering (a transient network error) and be started on a port after the
fact (the database coming back).
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import bson

OP_REPLY, OP_QUERY, OP_MSG = 1, 2004, 2013
HEADER = struct.Struct("<iiii")
# How servers refuse a connection string's credentials, answered to a read.
AUTHENTICATION_FAILED = {"code": 18, "codeName": "AuthenticationFailed", "errmsg": "Authentication failed."}
ATLAS_BAD_AUTH = {"code": 8000, "codeName": "AtlasError", "errmsg": "bad auth : authentication failed"}
UNAUTHORIZED = {
    "code": 13,
    "codeName": "Unauthorized",
    "errmsg": "command find requires authentication",
}
CREDENTIAL_REFUSALS = {
    "mongodb": AUTHENTICATION_FAILED,
    "atlas": ATLAS_BAD_AUTH,
    "dropped-user": UNAUTHORIZED,
}


class FakeMongod(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, database: Any) -> None:
        self.database = database
        self.reads_to_drop: Counter[str] = Counter()  # collection -> how many next reads to hang up on
        self.refusal: dict[str, Any] | None = None  # answer every read with this error (CREDENTIAL_REFUSALS)
        self.read_delay = 0.0  # seconds each read takes before its answer
        self.server_version = "8.0.4"  # what buildInfo answers
        self.reads: list[str] = []
        # The maxTimeMS each read carried: what the driver had left of the request's deadline.
        self.read_budgets_ms: list[int | None] = []
        self.open_connections = 0  # the driver's, monitors' included: 0 once its client is closed
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Connection)

    @property
    def port(self) -> int:
        """The port it listens on: the one given, or the one the system chose for port 0."""
        return int(self.server_address[1])

    def count_connection(self, change: int) -> None:
        with self._connections_lock:
            self.open_connections += change

    def answer(self, command: dict[str, Any]) -> dict[str, Any] | None:
        name = next(iter(command))
        if name.lower() in ("hello", "ismaster"):
            return {
                "ismaster": True,
                "isWritablePrimary": True,
                "helloOk": True,
                "maxWireVersion": 21,
                "minWireVersion": 0,
                "maxBsonObjectSize": 16 * 1024 * 1024,
                "maxMessageSizeBytes": 48_000_000,
                "maxWriteBatchSize": 100_000,
                "localTime": datetime.now(UTC),
                "readOnly": False,
                "ok": 1.0,
            }
        if name.lower() == "buildinfo":
            return {"version": self.server_version, "ok": 1.0}
        if name in ("find", "aggregate"):
            collection = command[name]
            self.reads.append(collection)
            self.read_budgets_ms.append(command.get("maxTimeMS"))
            time.sleep(self.read_delay)
            if self.refusal is not None:
                return {"ok": 0.0, **self.refusal}
            if self.reads_to_drop[collection] > 0:
                self.reads_to_drop[collection] -= 1
                return None  # hang up without an answer
            return {
                "cursor": {
                    "firstBatch": self._run(name, command),
                    "id": 0,
                    "ns": f"{command['$db']}.{collection}",
                },
                "ok": 1.0,
            }
        return {"ok": 1.0}

    def _run(self, name: str, command: dict[str, Any]) -> list[dict[str, Any]]:
        collection = self.database[command[name]]
        if name == "aggregate":
            return list(collection.aggregate(command["pipeline"]))
        cursor = collection.find(command.get("filter", {}), command.get("projection"))
        if command.get("sort"):
            cursor = cursor.sort(list(command["sort"].items()))
        return list(cursor.skip(command.get("skip", 0)).limit(abs(command.get("limit", 0))))


class _Connection(socketserver.BaseRequestHandler):
    server: FakeMongod

    def handle(self) -> None:
        self.server.count_connection(1)
        try:
            self._serve()
        finally:
            self.server.count_connection(-1)

    def _serve(self) -> None:
        while True:
            header = _read(self.request, HEADER.size)
            if header is None:
                return
            length, request_id, _, opcode = HEADER.unpack(header)
            body = _read(self.request, length - HEADER.size)
            if body is None:
                return
            command = _command(opcode, body)
            answer = self.server.answer(command)
            if answer is None:
                self.request.close()
                return
            self.request.sendall(_reply(opcode, request_id, answer))


def _read(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _command(opcode: int, body: bytes) -> dict[str, Any]:
    if opcode == OP_QUERY:
        # flags, the collection's name, then numberToSkip and numberToReturn before the command.
        start = body.index(b"\x00", 4) + 1 + 8
        size = int.from_bytes(body[start : start + 4], "little")
        return dict(bson.decode(body[start : start + size]))
    # OP_MSG: flag bits, then sections; kind 0 is the command (reads send no document sequences).
    position, command = 4, {}
    while position < len(body):
        kind = body[position]
        position += 1
        size = int.from_bytes(body[position : position + 4], "little")
        if kind == 0:
            command = dict(bson.decode(body[position : position + size]))
        position += size
    return command


def _reply(opcode: int, request_id: int, answer: dict[str, Any]) -> bytes:
    document = bson.encode(answer)
    if opcode == OP_QUERY:
        payload = struct.pack("<iqii", 0, 0, 0, 1) + document
        return HEADER.pack(HEADER.size + len(payload), 0, request_id, OP_REPLY) + payload
    payload = struct.pack("<I", 0) + b"\x00" + document
    return HEADER.pack(HEADER.size + len(payload), 0, request_id, OP_MSG) + payload


@contextmanager
def fake_mongod(port: int, database: Any) -> Iterator[FakeMongod]:
    """A server on ``port``; 0 lets the system choose one no other process holds (``.port`` tells it)."""
    server = FakeMongod(port, database)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=2)
