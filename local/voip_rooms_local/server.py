"""A local HTTP server that hands each request to the very same lambda_handler, as API Gateway would."""

from __future__ import annotations

import base64
import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BufferedIOBase
from typing import Any
from urllib.parse import urlsplit

from voip_rooms.handler import DOCS_PATH, lambda_handler
from voip_rooms_local.events import LocalLambdaContext, rest_event

# API Gateway refuses larger payloads before the function sees them.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


class LambdaProxyHandler(BaseHTTPRequestHandler):
    server_version = "voip-rooms-local"
    protocol_version = "HTTP/1.1"
    # One Lambda container answers one request at a time; so does the emulated one.
    invoke_lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        # BaseHTTPRequestHandler looks up do_<METHOD>: every method, however unusual (TRACE, QUERY, ...),
        # reaches the function, which answers all but GET with 405 and Allow: GET.
        if name.startswith("do_"):
            return self._proxy
        raise AttributeError(name)

    def _proxy(self) -> None:
        try:
            body = self._body()
        except RefusedBody as refused:
            # What was not read of the body must never be taken for the connection's next request.
            self.close_connection = True
            self._send_json(refused.status, {"success": False, "error": refused.error})
            return
        url = urlsplit(self.path)
        try:
            event = rest_event(
                self.command,
                url.path,
                headers=self.headers.items(),
                query_string=url.query,
                source_ip=self.client_address[0],
            )
        except ValueError:
            # API Gateway, too, refuses a query string it cannot decode before the function runs.
            self._send_json(HTTPStatus.BAD_REQUEST, {"success": False, "error": "Malformed query string"})
            return
        event |= _body_fields(body)
        with self.invoke_lock:
            # The Swagger UI (?format=json: the OpenAPI document), answered by the documentation resolver.
            answer = _documentation if url.path == DOCS_PATH else lambda_handler
            result = answer(event, LocalLambdaContext())
        self._send_result(result)

    def _body(self) -> bytes:
        """The whole body, as a front door reads it before invoking the function: by its
        Content-Length, or chunk by chunk when it is sent with Transfer-Encoding: chunked."""
        codings = [coding.strip().lower() for coding in self.headers.get("Transfer-Encoding", "").split(",")]
        if codings[-1] == "chunked":
            return read_chunked(self.rfile)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise RefusedBody(HTTPStatus.BAD_REQUEST, "Malformed Content-Length") from None
        if length > MAX_REQUEST_BYTES:
            raise RefusedBody(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request too large")
        return self.rfile.read(length) if length > 0 else b""

    def _send_result(self, result: dict[str, Any]) -> None:
        body = result.get("body") or ""
        payload = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
        self.send_response(int(result["statusCode"]))
        headers: dict[str, list[str]] = {k: [str(v)] for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.setdefault(name, [])
            headers[name] += [str(v) for v in values if str(v) not in headers[name]]
        for name, values in headers.items():
            for value in values:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _send_json(self, status: HTTPStatus, body: dict[str, Any]) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        # Requests refused before the handler (URL or headers too long, bad request line) get JSON too.
        status = HTTPStatus(code)
        self.close_connection = True
        self._send_json(status, {"success": False, "error": message or status.phrase})

    def log_message(self, format: str, *args: Any) -> None:
        # The handler's own structured logs already describe each request.
        pass


class RefusedBody(Exception):
    """A body the front door refuses before the function runs (answered in the API's JSON form)."""

    def __init__(self, status: HTTPStatus, error: str) -> None:
        super().__init__(error)
        self.status, self.error = status, error


# A chunk's size line ("1a2b;name=value") or a trailer field: far longer is no chunked body.
_MAX_CHUNK_LINE = 1024
# Trailer fields after the last chunk: a front door reads a few, never an endless stream of them.
_MAX_TRAILER_FIELDS = 32


def read_chunked(stream: BufferedIOBase) -> bytes:
    """A body sent with Transfer-Encoding: chunked (RFC 9112, 7.1), its trailer section skipped."""
    body = bytearray()
    while True:
        size = _chunk_size(stream.readline(_MAX_CHUNK_LINE))
        if size == 0:
            break
        if len(body) + size > MAX_REQUEST_BYTES:
            raise RefusedBody(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "Request too large")
        chunk = stream.read(size)
        if len(chunk) < size or stream.readline(_MAX_CHUNK_LINE) not in (b"\r\n", b"\n"):
            raise RefusedBody(HTTPStatus.BAD_REQUEST, "Malformed chunked body")
        body += chunk
    for _ in range(_MAX_TRAILER_FIELDS + 1):
        if stream.readline(_MAX_CHUNK_LINE) in (b"\r\n", b"\n", b""):
            return bytes(body)  # the trailer fields, read and left: nothing the function reads
    raise RefusedBody(HTTPStatus.BAD_REQUEST, "Malformed chunked body")


def _chunk_size(line: bytes) -> int:
    digits = line.split(b";", 1)[0].strip()
    if not digits or not all(digit in b"0123456789abcdefABCDEF" for digit in digits):
        raise RefusedBody(HTTPStatus.BAD_REQUEST, "Malformed chunked body")
    return int(digits, 16)


def _documentation(event: dict[str, Any], context: LocalLambdaContext) -> dict[str, Any]:
    # Imported on the first visit: pydantic builds the document's schemas.
    from voip_rooms_local.openapi import documentation  # noqa: PLC0415

    return documentation.resolve(event, context)


def _body_fields(raw: bytes) -> dict[str, Any]:
    """The body as API Gateway passes it: text when it is UTF-8, base64 otherwise."""
    if not raw:
        return {"body": None, "isBase64Encoded": False}
    try:
        return {"body": raw.decode("utf-8"), "isBase64Encoded": False}
    except UnicodeDecodeError:
        return {"body": base64.b64encode(raw).decode("ascii"), "isBase64Encoded": True}


def make_server(host: str, port: int) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), LambdaProxyHandler)
    server.daemon_threads = True
    return server
