"""Where an export writes: a file (gzip when its name ends in ``.gz``), standard output, or an S3 object.

An archive is never overwritten: a file that exists is refused unless the export continues it
(``--after``: the rooms are appended; a ``.gz`` file gets one more gzip member, which every gzip
reader joins), and an S3 object that exists is refused, since an object cannot be appended to (a
resumed export writes another object). S3 is written by a multipart upload with server-side
encryption (SSE-S3, or SSE-KMS with a key), in parts of ``PART_BYTES``, so memory holds one part;
the object appears only when the upload completes, and only if no object took its key meanwhile.
Nothing is created before the first room: a stop or a failure before it leaves nothing behind.
``close`` makes everything written durable (a stopped export's output holds every room it
reported); ``abort`` gives up after a failure of the output itself, leaving no partial S3 upload.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol, cast

import boto3
from botocore.exceptions import BotoCoreError, ClientError

GZIP_SUFFIX = ".gz"
# S3's smallest part (but the last) is 5 MiB; 8 MiB parts allow 80 GB in its 10,000 parts.
PART_BYTES = 8 * 1024 * 1024
WRITE_BUFFER = 1 << 20
# gzip -6, gzip's own default: most of -9's ratio at a fraction of its time.
GZIP_LEVEL = 6
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib writes the gzip container
# S3's answers to a HEAD: nothing there (a HEAD's error has no body: a bare status), or not allowed to look.
_NOT_FOUND = ("404", "NoSuchKey", "NoSuchBucket", "NotFound")
_FORBIDDEN = ("403", "AccessDenied", "Forbidden")


class OutputError(Exception):
    """An output that cannot be opened or written; the message is one line."""


class Output(Protocol):
    @property
    def label(self) -> str: ...

    def write(self, data: bytes) -> None: ...

    def close(self) -> None: ...

    def abort(self) -> None: ...


def open_output(target: str, *, resuming: bool, kms_key_id: str | None = None) -> Output:
    """The output named on the command line, checked; nothing is created before the first write (or
    the close of an export of no room), so a stop or a failure before the first room leaves nothing."""
    if target.startswith("s3://"):
        bucket, _, key = target[len("s3://") :].partition("/")
        if not bucket or not key:
            raise OutputError(f"{target} names no object: write s3://bucket/key")
        return S3Output.start(bucket, key, kms_key_id=kms_key_id)
    if kms_key_id is not None:
        raise OutputError("--kms-key-id applies to s3:// outputs only")
    if target == "-":
        return StandardOutput(sys.stdout.buffer)
    return FileOutput.checked(Path(target), appending=resuming)


@dataclass
class StandardOutput:
    """Standard output: flushed, never closed."""

    stream: IO[bytes]
    label: str = "standard output"

    def write(self, data: bytes) -> None:
        self.stream.write(data)

    def close(self) -> None:
        self.stream.flush()

    def abort(self) -> None:
        with contextlib.suppress(OSError):  # it failed already: what it holds is what it could take
            self.stream.flush()


@dataclass
class FileOutput:
    """A local file (gzip when its name ends in ``.gz``), opened at the first write: created (``x``:
    or refused), or appended to when the export continues it."""

    path: Path
    appending: bool
    stream: IO[bytes] | None = None
    wrote: bool = False

    @classmethod
    def checked(cls, path: Path, *, appending: bool) -> FileOutput:
        """Refused now what the first write would refuse, before any work."""
        if path.is_dir():
            raise OutputError(f"{path} is a directory: name a file in it, e.g. {path / 'calls.jsonl.gz'}")
        if not appending and (path.exists() or path.is_symlink()):
            raise OutputError(f"{path} exists: an export never overwrites one; pass --after to continue it")
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"cannot write {path}: there is no folder {folder}")
        if not os.access(path if path.exists() else folder, os.W_OK):
            raise OutputError(f"cannot write {path}: permission denied")
        return cls(path, appending)

    @property
    def label(self) -> str:
        return str(self.path)

    def write(self, data: bytes) -> None:
        self._opened().write(data)
        self.wrote = True

    def close(self) -> None:
        """Also when nothing was written: an export of no room is an empty file (or gzip member), but
        one that continues a file with no room leaves it as it was."""
        if self.stream is None and self.appending and self.path.exists():
            return
        self._opened().close()

    def abort(self) -> None:
        if self.stream is None:
            return
        with contextlib.suppress(OSError):  # it failed already: what it holds is what it could take
            self.stream.close()
        if not self.appending and not self.wrote:
            self.path.unlink(missing_ok=True)

    def _opened(self) -> IO[bytes]:
        if self.stream is None:
            mode = "ab" if self.appending else "xb"  # x: created here, or refused
            if self.path.name.endswith(GZIP_SUFFIX):
                self.stream = cast("IO[bytes]", gzip.GzipFile(self.path, mode, compresslevel=GZIP_LEVEL))
            else:
                self.stream = self.path.open(mode, buffering=WRITE_BUFFER)
        return self.stream


@dataclass
class S3Output:
    """A multipart upload, started at the first full part; a small export is one encrypted PutObject."""

    client: Any
    bucket: str
    key: str
    encryption: dict[str, str]
    compressor: Any = None
    pending: bytearray = field(default_factory=bytearray)
    upload_id: str | None = None
    parts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def start(cls, bucket: str, key: str, *, kms_key_id: str | None) -> S3Output:
        encryption = {"ServerSideEncryption": "AES256"}
        if kms_key_id is not None:
            encryption = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id}
        output = cls(boto3.client("s3"), bucket, key, encryption)
        if key.endswith(GZIP_SUFFIX):
            output.compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, _GZIP_WBITS)
        output.refuse_existing()
        return output

    def refuse_existing(self) -> None:
        """Fail before the work when the bucket is missing or the object exists (the completion's
        condition is the guarantee). The bucket first: S3 answers a HEAD of a key in a missing bucket
        as it answers one of a free key."""
        if self._exists(self.client.head_bucket, Bucket=self.bucket) is False:
            raise OutputError(f"cannot write {self.label}: there is no bucket {self.bucket}")
        if self._exists(self.client.head_object, Bucket=self.bucket, Key=self.key):
            raise OutputError(
                f"{self.label} exists: an export never overwrites one, and an S3 object cannot be "
                "continued; write to another key"
            )

    def _exists(self, head: Any, **request: str) -> bool | None:
        """Whether a HEAD finds it; None when the role may not look (allowed to write, not to read:
        the work goes on)."""
        try:
            head(**request)
        except (BotoCoreError, ClientError) as error:
            code = _error_code(error)
            if code in _NOT_FOUND:
                return False
            if code in _FORBIDDEN:
                return None
            raise OutputError(f"cannot reach {self.label}: {code or type(error).__name__}") from None
        return True

    def write(self, data: bytes) -> None:
        self.pending += self.compressor.compress(data) if self.compressor else data
        if len(self.pending) >= PART_BYTES:
            self._upload_part()

    def close(self) -> None:
        if self.compressor is not None:
            self.pending += self.compressor.flush()
            self.compressor = None
        try:
            if self.upload_id is None:
                body = bytes(self.pending)
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=self.key,
                    Body=body,
                    IfNoneMatch="*",
                    **self._content(),
                    **self.encryption,
                )
                return
            if self.pending:
                self._upload_part()
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                MultipartUpload={"Parts": self.parts},
                IfNoneMatch="*",
            )
        except (BotoCoreError, ClientError) as error:
            raise self._given_up(error) from None

    def abort(self) -> None:
        self._abort_upload()

    def _given_up(self, error: BotoCoreError | ClientError) -> OutputError:
        """The upload given up after S3 failed: its parts removed, or, when S3 cannot be told either,
        the upload named (its parts are kept, and billed, until removed)."""
        left = self._abort_upload()
        remains = f"; an incomplete upload {left} may remain" if left else ""
        return OutputError(
            f"cannot write {self.label}: {_error_code(error) or type(error).__name__}{remains}"
        )

    def _abort_upload(self) -> str | None:
        """Removes the upload's parts; the upload's id when that failed too."""
        upload_id, self.upload_id = self.upload_id, None
        if upload_id is None:
            return None
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
        except (BotoCoreError, ClientError):
            return upload_id
        return None

    def _upload_part(self) -> None:
        try:
            if self.upload_id is None:
                started = self.client.create_multipart_upload(
                    Bucket=self.bucket, Key=self.key, **self._content(), **self.encryption
                )
                self.upload_id = started["UploadId"]
            number = len(self.parts) + 1
            sent = self.client.upload_part(
                Bucket=self.bucket,
                Key=self.key,
                UploadId=self.upload_id,
                PartNumber=number,
                Body=bytes(self.pending),
            )
        except (BotoCoreError, ClientError) as error:
            raise self._given_up(error) from None
        self.parts.append({"ETag": sent["ETag"], "PartNumber": number})
        self.pending.clear()

    def _content(self) -> dict[str, str]:
        gzipped = self.key.endswith(GZIP_SUFFIX)
        return {"ContentType": "application/gzip" if gzipped else "application/x-ndjson"}


def _error_code(error: BaseException) -> str:
    response = getattr(error, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def next_part_key(key: str) -> str:
    """Another key beside ``key`` for the rest of a stopped export: ``calls.jsonl.gz`` ->
    ``calls.part2.jsonl.gz`` -> ``calls.part3.jsonl.gz``."""
    folder, slash, name = key.rpartition("/")
    pieces = name.split(".")
    numbered = re.fullmatch(r"part(\d+)", pieces[1]) if len(pieces) > 1 else None
    if numbered:
        pieces[1] = f"part{int(numbered.group(1)) + 1}"
    else:
        pieces.insert(1, "part2")
    return f"{folder}{slash}{'.'.join(pieces)}"
