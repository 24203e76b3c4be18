"""The local server reads a chunked request body as a front door does: whole, its trailer skipped,
refused in the API's JSON form when it is malformed or too large."""

from __future__ import annotations

import io
from http import HTTPStatus

import pytest

from voip_rooms_local import server
from voip_rooms_local.server import RefusedBody, read_chunked


def test_chunks_with_extensions_and_a_trailer_make_one_body() -> None:
    stream = io.BytesIO(b"3;name=value\r\nabc\r\n1\r\nd\r\n0\r\nX-Checksum: 1\r\n\r\nnext request")
    assert read_chunked(stream) == b"abcd"
    assert stream.read() == b"next request", "nothing after the body was read"


def test_a_body_over_the_limit_is_a_413_before_its_chunk_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server, "MAX_REQUEST_BYTES", 5)
    stream = io.BytesIO(b"3\r\nabc\r\n3\r\ndef\r\n0\r\n\r\n")
    with pytest.raises(RefusedBody) as refused:
        read_chunked(stream)
    assert (refused.value.status, refused.value.error) == (
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        "Request too large",
    )


@pytest.mark.parametrize(
    "chunks", [b"", b"-1\r\n", b"0x3\r\nabc\r\n0\r\n\r\n", b"3\r\nab", b"3\r\nabcd\r\n0\r\n\r\n"]
)
def test_a_malformed_chunked_body_is_refused(chunks: bytes) -> None:
    with pytest.raises(RefusedBody) as refused:
        read_chunked(io.BytesIO(chunks))
    assert (refused.value.status, refused.value.error) == (HTTPStatus.BAD_REQUEST, "Malformed chunked body")


def test_an_endless_trailer_is_refused() -> None:
    stream = io.BytesIO(b"1\r\na\r\n0\r\n" + b"X-Field: v\r\n" * 1000 + b"\r\n")
    with pytest.raises(RefusedBody) as refused:
        read_chunked(stream)
    assert (refused.value.status, refused.value.error) == (HTTPStatus.BAD_REQUEST, "Malformed chunked body")
