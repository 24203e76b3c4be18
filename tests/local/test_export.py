"""`voip-rooms export`: every matching room, exactly as the API serves it, oldest first, to a file, a
gzip file, standard output or S3; stopped, it says how to continue, and the continued export neither
repeats nor skips a room."""

from __future__ import annotations

import errno
import gzip
import io
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws
from pymongo.read_preferences import Primary, Secondary

from tests.bson_order import walk
from tests.corpus import UPGRADED
from tests.factories import DEMO_ADMIN, ApiClient, room
from voip_rooms import database
from voip_rooms.errors import DatabaseUnavailable
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore
from voip_rooms_local import cli, export, export_outputs, export_progress, export_walk
from voip_rooms_local.cli import main
from voip_rooms_local.export_outputs import next_part_key
from voip_rooms_local.export_progress import Progress

BUCKET = "call-archive"
# What an export says first, on standard error: which database it reads.
DEMO_SOURCE = (
    "voip-rooms: WARNING: exporting the rooms of the embedded demo database: generated calls, no "
    "Rocket.Chat's history (set MONGODB_URI, or pass --data DIR, to export yours)\n"
)
# The program as the tests' commands invoke it: the printed command must repeat it.
PROGRAM = ".venv/bin/voip-rooms"
# Small pages, so that every walk here crosses several of them.
PAGE = 40


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(export_walk, "PAGE_ROWS", PAGE)
    monkeypatch.setattr(sys, "argv", [PROGRAM, "export"])  # as a shell runs it, not as pytest runs
    yield
    database.use_database(None)


class _UnhandledSignal(Exception):
    """A signal the export left to its default action, which would end the test run itself."""


@pytest.fixture(autouse=True)
def signals_that_would_end_the_run_fail_the_test() -> Iterator[None]:
    def unhandled(number: int, _: Any) -> None:
        raise _UnhandledSignal(signal.Signals(number).name)

    previous = {number: signal.signal(number, unhandled) for number in (signal.SIGTERM, signal.SIGHUP)}
    yield
    for number, handler in previous.items():
        signal.signal(number, handler)


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name, value in {"AWS_DEFAULT_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "testing"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("s3")
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield client


def _export(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str]:
    status = main(["export", *arguments])
    return status, capsys.readouterr().err


def _source(data: Path) -> str:
    return f"voip-rooms: exporting the rooms of an embedded database loaded from {data}\n"


def _lines(path: Path) -> list[dict[str, Any]]:
    data = gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def _api_walk(query: dict[str, str]) -> list[dict[str, Any]]:
    """What the API answers, page after page by its cursor, sorted as an export is: the comparison."""
    api = ApiClient(database.get_database(SETTINGS))

    def page(cursor: str | None) -> dict[str, Any]:
        body = {"count": "100", "sort": '{"ts": 1}', **query} | ({"after": cursor} if cursor else {})
        answer = api.get(body, user=DEMO_ADMIN)
        assert answer.status == 200, answer.body
        return dict(answer.body)

    return walk(page)


def _continue_command(err: str, program: str = PROGRAM) -> list[str]:
    """The arguments of the printed command that continues, which repeats the program as invoked."""
    line = next(line for line in err.splitlines() if "continue after it with: " in line)
    command = line.split("continue after it with: ", 1)[1].removesuffix(" (append its output to this one's)")
    words = shlex.split(command)
    assert words[:2] == [program, "export"]
    return words[2:]


# --- what is written ---


def test_every_room_is_written_as_the_api_serves_it_oldest_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = _export(capsys, str(tmp_path / "calls.jsonl"))
    assert (status, err) == (0, DEMO_SOURCE), "nothing but the database when standard error is no terminal"
    written = _lines(tmp_path / "calls.jsonl")
    assert len(written) == 320
    assert written == _api_walk({})
    assert all("token" not in line["v"] for line in written if "v" in line)
    assert [line["ts"] for line in written] == sorted(line["ts"] for line in written)


def test_the_filter_is_the_apis_query_string(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    query = 'open=false&queue=sales&agents[]=demo-agent-1&createdAt={"start":"2026-07-01"}'
    status, _ = _export(capsys, "--filter", query, str(tmp_path / "sales.jsonl"))
    written = _lines(tmp_path / "sales.jsonl")
    assert status == 0
    expected = _api_walk(
        {"open": "false", "queue": "sales", "agents[]": "demo-agent-1", "createdAt": '{"start":"2026-07-01"}'}
    )
    assert written == expected
    assert 0 < len(written) < 320


def test_the_filter_may_start_with_the_question_mark_of_a_copied_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _export(capsys, "--filter", "?open=false&queue=sales", str(tmp_path / "copied.jsonl"))[0] == 0
    assert _export(capsys, "--filter", "open=false&queue=sales", str(tmp_path / "typed.jsonl"))[0] == 0
    assert _lines(tmp_path / "copied.jsonl") == _lines(tmp_path / "typed.jsonl") != []


def test_an_upgraded_8x_database_exports_the_rooms_the_upgrade_closed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "8x.jsonl"
    status, _ = _export(capsys, "--data", str(UPGRADED / "dump"), "--filter", "open=false", str(out))
    written = _lines(out)
    assert status == 0
    assert len(written) == 29
    assert not any("open" in line for line in written)
    assert sum("closedAt" not in line for line in written) == 5


def test_the_export_says_which_database_it_reads_and_names_the_demo_one_loudly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = UPGRADED / "export"
    assert _export(capsys, "--data", str(data), str(tmp_path / "8x.jsonl")) == (0, _source(data))
    assert _export(capsys, str(tmp_path / "demo.jsonl")) == (0, DEMO_SOURCE)


def test_an_unreachable_mongodb_is_named_then_refused_exit_2_and_nothing_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = replace(SETTINGS, mongodb_uri="mongodb://127.0.0.1:1/rocketchat", mongodb_timeout_ms=300)
    monkeypatch.setattr("voip_rooms_local.cli.SETTINGS", unreachable)
    monkeypatch.setattr("voip_rooms_local.export.SETTINGS", unreachable)
    database.use_database(None)
    try:
        status, err = _export(capsys, str(tmp_path / "calls.jsonl"))
    finally:
        database.get_database(unreachable).client.close()
    assert status == 2
    source, refused = err.splitlines()
    assert source == "voip-rooms: exporting the rooms of the MongoDB at MONGODB_URI"
    assert refused.startswith("voip-rooms: cannot read the database: DatabaseUnavailable: ")
    assert list(tmp_path.iterdir()) == []


def test_the_rooms_are_read_with_mongodb_read_preference_over_the_connection_strings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = replace(
        SETTINGS,
        mongodb_uri="mongodb://127.0.0.1:1/rocketchat?readPreference=primary",
        mongodb_read_preference="secondary",
    )
    monkeypatch.setattr("voip_rooms_local.cli.SETTINGS", settings)
    monkeypatch.setattr("voip_rooms_local.export.SETTINGS", settings)
    read_with: list[Any] = []

    def reading(self: RocketChatStore, *arguments: Any) -> Any:
        read_with.append(self._rooms.read_preference)
        raise DatabaseUnavailable("ServerSelectionTimeoutError")

    monkeypatch.setattr(RocketChatStore, "stream_rooms", reading)
    database.use_database(None)
    try:
        assert _export(capsys, str(tmp_path / "calls.jsonl"))[0] == 2
        assert database.get_database(settings).client.read_preference == Primary(), "the URI's"
    finally:
        database.get_database(settings).client.close()
    assert read_with == [Secondary()]


def test_a_gz_file_is_gzip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _export(capsys, str(tmp_path / "plain.jsonl"))[0] == 0
    assert _export(capsys, str(tmp_path / "calls.jsonl.gz"))[0] == 0
    packed = (tmp_path / "calls.jsonl.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    assert gzip.decompress(packed) == (tmp_path / "plain.jsonl").read_bytes()
    assert len(packed) < (tmp_path / "plain.jsonl").stat().st_size / 4


def test_dash_is_standard_output(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    status = main(["export", "--filter", "open=true", "-"])
    captured = capsysbinary.readouterr()
    assert (status, captured.err.decode()) == (0, DEMO_SOURCE)
    rooms = [json.loads(line) for line in captured.out.splitlines()]
    assert len(rooms) == 24
    assert all(room["open"] is True for room in rooms)


NO_ROOM = "queue=no-such-queue"


@pytest.mark.parametrize("name", ["none.jsonl", "none.jsonl.gz"])
def test_no_matching_room_writes_an_empty_archive_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / name
    status, err = _export(capsys, "--filter", NO_ROOM, str(out))
    assert status == 0
    assert err.endswith(f"voip-rooms: no room matched: wrote an empty archive to {out}\n")
    assert _lines(out) == []
    if name.endswith(".gz"):
        assert out.read_bytes()[:2] == b"\x1f\x8b", "an empty gzip member, not an empty file"


def test_a_stop_while_an_empty_archive_is_created_lets_it_be_created_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = export_outputs.FileOutput._opened

    def created_then_stopped(self: export_outputs.FileOutput) -> Any:
        stream = opened(self)
        os.kill(os.getpid(), signal.SIGTERM)
        return stream

    monkeypatch.setattr(export_outputs.FileOutput, "_opened", created_then_stopped)
    out = tmp_path / "none.jsonl.gz"
    status, err = _export(capsys, "--filter", NO_ROOM, str(out))
    assert (status, err) == (
        0,
        f"{DEMO_SOURCE}voip-rooms: no room matched: wrote an empty archive to {out}\n",
    )
    assert _lines(out) == []


@pytest.mark.parametrize("key", ["none.jsonl", "none.jsonl.gz"])
def test_no_matching_room_writes_an_empty_s3_object(
    s3: Any, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    status, err = _export(capsys, "--filter", NO_ROOM, f"s3://{BUCKET}/{key}")
    assert status == 0
    assert err.endswith(f"voip-rooms: no room matched: wrote an empty archive to s3://{BUCKET}/{key}\n")
    stored = s3.get_object(Bucket=BUCKET, Key=key)
    assert stored["ServerSideEncryption"] == "AES256"
    body = stored["Body"].read()
    assert (gzip.decompress(body) if key.endswith(".gz") else body) == b""


def test_no_matching_room_on_standard_output_is_said_on_standard_error(
    capsysbinary: pytest.CaptureFixture[bytes],
) -> None:
    status = main(["export", "--filter", NO_ROOM, "-"])
    captured = capsysbinary.readouterr()
    assert (status, captured.out) == (0, b"")
    assert captured.err.endswith(b"voip-rooms: no room matched: wrote an empty archive to standard output\n")


@pytest.mark.parametrize("name", ["calls.jsonl", "calls.jsonl.gz"])
def test_continuing_a_complete_export_leaves_its_file_as_it_was(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    out = tmp_path / name
    assert _export(capsys, str(out))[0] == 0
    whole = out.read_bytes()
    last = database.get_database(SETTINGS)["rocketchat_room"].find_one(sort=[("ts", -1), ("_id", -1)])
    assert last is not None
    status, err = _export(capsys, "--after", export_walk.resume_cursor([last["ts"], last["_id"]]), str(out))
    assert status == 0
    assert err.endswith("voip-rooms: no room matched after the cursor: the export was complete\n")
    assert out.read_bytes() == whole


def test_each_page_is_read_after_the_last_room_of_the_one_before_never_by_offset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[tuple[Any, ...]] = []
    stream = RocketChatStore.stream_rooms

    def recorded(self: RocketChatStore, *arguments: Any) -> Iterator[dict[str, Any]]:
        reads.append(arguments)
        return stream(self, *arguments)

    monkeypatch.setattr(RocketChatStore, "stream_rooms", recorded)
    assert _export(capsys, str(tmp_path / "calls.jsonl"))[0] == 0
    assert len(reads) == 320 // PAGE + 1
    assert all(limit == PAGE and batch == export_walk.BATCH_ROWS for _, _, limit, _, batch in reads)
    assert "$or" not in reads[0][0]
    assert all("$or" in query for query, *_ in reads[1:]), "a keyset condition, no skip"
    assert all(order == [("ts", 1), ("_id", 1)] for _, order, *_ in reads)


# --- S3 ---


def test_s3_is_a_multipart_upload_encrypted_at_rest(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_outputs, "PART_BYTES", 5 * 1024 * 1024)  # S3's smallest part
    data = tmp_path / "large"
    _write_large_rooms(data, rooms=60, padding=200_000)  # about 12 MB: three parts
    status, err = _export(capsys, "--data", str(data), f"s3://{BUCKET}/2026/calls.jsonl")
    assert (status, err) == (0, _source(data))
    stored = s3.get_object(Bucket=BUCKET, Key="2026/calls.jsonl")
    assert stored["ServerSideEncryption"] == "AES256"
    assert stored["ContentType"] == "application/x-ndjson"
    assert stored["ETag"].endswith('-3"'), "three parts"
    assert _export(capsys, "--data", str(data), str(tmp_path / "local.jsonl"))[0] == 0
    assert stored["Body"].read() == (tmp_path / "local.jsonl").read_bytes()
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_a_small_s3_export_is_one_encrypted_object_and_gzip_when_the_key_says_so(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _ = _export(capsys, "--kms-key-id", "alias/call-archive", f"s3://{BUCKET}/calls.jsonl.gz")
    assert status == 0
    stored = s3.get_object(Bucket=BUCKET, Key="calls.jsonl.gz")
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["SSEKMSKeyId"].endswith("alias/call-archive")
    assert stored["ContentType"] == "application/gzip"
    assert len(gzip.decompress(stored["Body"].read()).splitlines()) == 320


def test_an_existing_s3_object_is_never_overwritten(s3: Any, capsys: pytest.CaptureFixture[str]) -> None:
    s3.put_object(Bucket=BUCKET, Key="calls.jsonl", Body=b"last year's archive\n")
    status, err = _export(capsys, f"s3://{BUCKET}/calls.jsonl")
    assert status == 2
    assert err == (
        f"voip-rooms: s3://{BUCKET}/calls.jsonl exists: an export never overwrites one, and an S3 object "
        "cannot be continued; write to another key\n"
    )
    assert s3.get_object(Bucket=BUCKET, Key="calls.jsonl")["Body"].read() == b"last year's archive\n"


def test_an_object_that_appears_during_the_export_is_not_overwritten_either(
    s3: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = export_outputs.S3Output.close

    def someone_else_first(self: export_outputs.S3Output) -> None:
        s3.put_object(Bucket=BUCKET, Key="calls.jsonl", Body=b"theirs\n")
        real(self)

    monkeypatch.setattr(export_outputs.S3Output, "close", someone_else_first)
    status, err = _export(capsys, f"s3://{BUCKET}/calls.jsonl")
    assert status == 1
    assert err == f"{DEMO_SOURCE}voip-rooms: cannot write s3://{BUCKET}/calls.jsonl: PreconditionFailed\n"
    assert s3.get_object(Bucket=BUCKET, Key="calls.jsonl")["Body"].read() == b"theirs\n"


class _FailingS3:
    """The S3 client, but for the calls named in ``failures``: the n-th call of each raises its error."""

    def __init__(self, client: Any, failures: dict[str, tuple[int, Exception]]) -> None:
        self.client, self.failures = client, failures
        self.calls: dict[str, int] = {}

    def __getattr__(self, name: str) -> Any:
        call = getattr(self.client, name)
        if name not in self.failures:
            return call
        failing_call, error = self.failures[name]

        def failing(**request: Any) -> Any:
            self.calls[name] = self.calls.get(name, 0) + 1
            if self.calls[name] >= failing_call:
                raise error
            return call(**request)

        return failing


def _failing_s3(monkeypatch: pytest.MonkeyPatch, failures: dict[str, tuple[int, Exception]]) -> None:
    real_client = boto3.client
    monkeypatch.setattr(boto3, "client", lambda service: _FailingS3(real_client(service), failures))


def test_an_s3_failure_mid_upload_leaves_no_object_and_no_parts_behind(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_outputs, "PART_BYTES", 5 * 1024 * 1024)
    refused = ClientError({"Error": {"Code": "InternalError", "Message": "try again"}}, "UploadPart")
    _failing_s3(monkeypatch, {"upload_part": (2, refused)})
    data = tmp_path / "large"
    _write_large_rooms(data, rooms=60, padding=200_000)
    status, err = _export(capsys, "--data", str(data), f"s3://{BUCKET}/calls.jsonl")
    assert status == 1
    assert err.endswith(f"voip-rooms: cannot write s3://{BUCKET}/calls.jsonl: InternalError\n")
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


@pytest.mark.parametrize("failing", ["upload_part", "complete_multipart_upload"])
def test_s3_unreachable_mid_upload_is_one_line_naming_the_upload_its_abort_could_not_remove(
    s3: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    monkeypatch.setattr(export_outputs, "PART_BYTES", 5 * 1024 * 1024)
    unreachable = EndpointConnectionError(endpoint_url=f"https://{BUCKET}.s3.eu-west-1.amazonaws.com/")
    failing_call = 2 if failing == "upload_part" else 1
    _failing_s3(
        monkeypatch, {failing: (failing_call, unreachable), "abort_multipart_upload": (1, unreachable)}
    )
    data = tmp_path / "large"
    _write_large_rooms(data, rooms=60, padding=200_000)
    status, err = _export(capsys, "--data", str(data), f"s3://{BUCKET}/calls.jsonl")
    [left] = s3.list_multipart_uploads(Bucket=BUCKET)["Uploads"]
    assert status == 1
    assert err.splitlines()[-1] == (
        f"voip-rooms: cannot write s3://{BUCKET}/calls.jsonl: EndpointConnectionError; "
        f"an incomplete upload {left['UploadId']} may remain"
    )
    assert "Traceback" not in err


def test_a_missing_bucket_is_refused_before_the_database_is_read(
    s3: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen: list[Path | None] = []
    choose = cli._choose_database

    def recorded(data: Path | None) -> str:
        chosen.append(data)
        return choose(data)

    monkeypatch.setattr(cli, "_choose_database", recorded)
    # S3 answers a HEAD of a key in a missing bucket with a bare 404, as for a free key (moto names
    # the bucket instead).
    bare_404 = ClientError({"Error": {"Code": "404", "Message": "Not Found"}}, "HeadObject")
    _failing_s3(monkeypatch, {"head_object": (1, bare_404)})
    status, err = _export(capsys, "s3://no-such-bucket/calls.jsonl")
    assert (status, err) == (
        2,
        "voip-rooms: cannot write s3://no-such-bucket/calls.jsonl: there is no bucket no-such-bucket\n",
    )
    assert chosen == [], "refused before the work"


# --- stopped, and continued ---


def _stopped_after(monkeypatch: pytest.MonkeyPatch, rooms: int, signal_number: int) -> None:
    """The export is sent a signal while it writes its ``rooms``-th room."""
    real = export_walk.exported_rooms

    def interrupted(*arguments: Any) -> Iterator[Any]:
        for number, exported in enumerate(real(*arguments), 1):
            if number == rooms:
                os.kill(os.getpid(), signal_number)
            yield exported

    monkeypatch.setattr(export, "exported_rooms", interrupted)


@pytest.mark.parametrize(
    ("signal_number", "name"),
    [(signal.SIGINT, "calls.jsonl"), (signal.SIGTERM, "calls.jsonl.gz"), (signal.SIGHUP, "calls.jsonl.gz")],
)
def test_a_stopped_file_export_says_how_to_continue_and_the_two_runs_hold_each_room_once(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    signal_number: int,
    name: str,
) -> None:
    out = tmp_path / name
    status = 128 + signal_number
    with monkeypatch.context() as patch:
        _stopped_after(patch, 100, signal_number)
        stopped, err = _export(capsys, "--filter", "direction=inbound", str(out))
    assert stopped == status
    assert len(_lines(out)) == 100
    stopped_by = signal.Signals(signal_number).name
    assert err.startswith(
        f"{DEMO_SOURCE}voip-rooms: stopped by {stopped_by} after 100 rooms; {out} holds every one of them"
    )
    arguments = _continue_command(err)
    assert arguments[:2] == ["--filter", "direction=inbound"]
    assert arguments[-1] == str(out)
    assert _export(capsys, *arguments) == (0, DEMO_SOURCE)
    whole = tmp_path / f"whole-{name}"
    assert _export(capsys, "--filter", "direction=inbound", str(whole))[0] == 0
    assert _lines(out) == _lines(whole)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler, "the handlers are restored"
    assert signal.getsignal(signal.SIGHUP) is signal.getsignal(signal.SIGTERM), "the test's own, back"


def test_a_continued_export_sees_calls_that_closed_or_started_meanwhile_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "calls.jsonl"
    with monkeypatch.context() as patch:
        _stopped_after(patch, 150, signal.SIGTERM)
        _, err = _export(capsys, str(out))
    first = _lines(out)
    rooms = database.get_database(SETTINGS)["rocketchat_room"]
    # Meanwhile: a call written already is tagged, an open one not reached yet closes, a new call starts.
    rooms.update_one({"_id": first[10]["_id"]}, {"$set": {"tags": ["reviewed"]}})
    ahead = rooms.find_one({"open": True, "ts": {"$gt": _stored_ts(first[-1]["_id"])}})
    assert ahead is not None
    rooms.update_one({"_id": ahead["_id"]}, {"$unset": {"open": 1}})
    newest = rooms.find_one(sort=[("ts", -1)])
    assert newest is not None
    rooms.insert_one(room(_id="started-meanwhile", ts=newest["ts"]))
    # The same embedded database goes on (as MONGODB_URI would): not loaded again.
    monkeypatch.setattr("voip_rooms_local.cli._choose_database", lambda data: "the same database")
    assert _export(capsys, *_continue_command(err))[0] == 0
    ids = [line["_id"] for line in _lines(out)]
    assert len(ids) == len(set(ids)) == 321
    assert ids[-1] == "started-meanwhile"
    assert "open" not in next(line for line in _lines(out)[150:] if line["_id"] == ahead["_id"])


def test_a_stopped_s3_export_completes_its_object_and_continues_beside_it(
    s3: Any, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _stopped_after(patch, 40, signal.SIGINT)
        status, err = _export(capsys, f"s3://{BUCKET}/calls.jsonl")
    assert status == 130
    arguments = _continue_command(err)
    assert arguments[-1] == f"s3://{BUCKET}/calls.part2.jsonl"
    assert _export(capsys, *arguments)[0] == 0
    parts = [
        s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() for key in ("calls.jsonl", "calls.part2.jsonl")
    ]
    assert len(parts[0].splitlines()) == 40
    assert _export(capsys, f"s3://{BUCKET}/whole.jsonl")[0] == 0
    assert parts[0] + parts[1] == s3.get_object(Bucket=BUCKET, Key="whole.jsonl")["Body"].read()


@pytest.mark.parametrize(
    "signal_number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=lambda number: number.name
)
@pytest.mark.parametrize(
    "when_and_name",
    [
        ("the data loads", "calls.jsonl"),
        ("the data loads", "calls.jsonl.gz"),
        ("the first page is read", "calls.jsonl"),
        ("the first page is read", "calls.jsonl.gz"),
    ],
)
def test_a_stop_before_the_first_room_leaves_nothing_behind_and_the_same_command_runs_again(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    signal_number: int,
    when_and_name: tuple[str, str],
) -> None:
    when, name = when_and_name
    out = tmp_path / name
    with monkeypatch.context() as patch:
        if when == "the data loads":
            choose = cli._choose_database

            def loading(data: Path | None) -> str:
                os.kill(os.getpid(), signal_number)
                return choose(data)

            patch.setattr(cli, "_choose_database", loading)
        else:
            _stopped_after(patch, 1, signal_number)
        status, err = _export(capsys, str(out))
    assert status == 128 + signal_number
    assert err.endswith(
        f"voip-rooms: stopped by {signal.Signals(signal_number).name} before the first room; nothing was "
        "written: run the same command again\n"
    )
    assert list(tmp_path.iterdir()) == [], "no empty output to refuse the same command again"
    assert _export(capsys, str(out))[0] == 0
    assert len(_lines(out)) == 320


def test_under_nohup_a_hangup_is_ignored_and_the_export_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "calls.jsonl"
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        _stopped_after(monkeypatch, 100, signal.SIGHUP)
        assert _export(capsys, str(out)) == (0, DEMO_SOURCE)
        assert signal.getsignal(signal.SIGHUP) == signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert len(_lines(out)) == 320


class _HungUpTerminal(io.StringIO):
    """A terminal whose SSH session dropped: after the hangup, every write fails with EIO."""

    hung_up = False

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.hung_up:
            raise OSError(errno.EIO, "Input/output error")
        return super().write(text)


def test_a_hangup_on_a_terminal_that_went_away_still_ends_on_a_whole_room_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _HungUpTerminal()
    monkeypatch.setattr("sys.stderr", terminal)
    real = export_walk.exported_rooms

    def hung_up(*arguments: Any) -> Iterator[Any]:
        for number, exported in enumerate(real(*arguments), 1):
            if number == 100:
                terminal.hung_up = True
                os.kill(os.getpid(), signal.SIGHUP)
            yield exported

    monkeypatch.setattr(export, "exported_rooms", hung_up)
    out = tmp_path / "calls.jsonl.gz"
    assert main(["export", str(out)]) == 129
    assert len(_lines(out)) == 100, "closed whole: no progress line failing took it for the output's failure"


@pytest.mark.parametrize("terminal", [False, True])
def test_a_database_failing_before_the_first_room_is_exit_2_piped_or_not_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    def unreachable(*arguments: Any) -> Any:
        raise DatabaseUnavailable("ServerSelectionTimeoutError")

    monkeypatch.setattr(RocketChatStore, "count_rooms", unreachable)
    monkeypatch.setattr(RocketChatStore, "stream_rooms", unreachable)
    stderr = _Terminal() if terminal else io.StringIO()
    monkeypatch.setattr("sys.stderr", stderr)
    out = tmp_path / "calls.jsonl"
    status = main(["export", str(out)])
    said = stderr.getvalue()
    assert status == 2
    assert said.splitlines()[-1] == (
        "voip-rooms: cannot read the database: DatabaseUnavailable: ServerSelectionTimeoutError"
    )
    assert not out.exists()


def test_the_database_failing_mid_export_keeps_what_was_written_and_says_how_to_continue(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = RocketChatStore.stream_rooms
    pages: list[int] = []

    def failing_third_page(self: RocketChatStore, *arguments: Any) -> Iterator[dict[str, Any]]:
        pages.append(1)
        if len(pages) == 3:
            raise DatabaseUnavailable("ServerSelectionTimeoutError")
        return stream(self, *arguments)

    out = tmp_path / "calls.jsonl"
    with monkeypatch.context() as patch:
        patch.setattr(RocketChatStore, "stream_rooms", failing_third_page)
        status, err = _export(capsys, str(out))
    assert status == 1
    assert err.startswith(
        f"{DEMO_SOURCE}voip-rooms: the database failed (DatabaseUnavailable: ServerSelectionTimeoutError) "
        f"after {2 * PAGE} rooms; {out} holds every one of them"
    )
    assert _export(capsys, *_continue_command(err))[0] == 0
    assert len(_lines(out)) == 320


def test_a_full_disk_is_one_line_and_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    cursor = export_walk.resume_cursor([room()["ts"], "room-0000"])
    status, err = _export(capsys, "--after", cursor, "/dev/full")
    assert status == 1
    assert err.startswith(f"{DEMO_SOURCE}voip-rooms: cannot write /dev/full after ")
    assert err.endswith(" rooms: No space left on device; the last line may be incomplete\n")


# --- a terminal sees progress; a pipe sees nothing ---


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_progress_line_counts_the_rooms_of_the_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert main(["export", "--filter", "open=true", str(tmp_path / "open.jsonl")]) == 0
    source, shown = terminal.getvalue().split("\n", 1)
    assert source + "\n" == DEMO_SOURCE, "the database first, on a line of its own"
    assert shown.startswith("\r  24 of 24 rooms (100%), ")
    assert shown.endswith(" rooms/s\n")


def test_on_a_terminal_a_stop_is_said_on_a_line_of_its_own_after_the_progress_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    _stopped_after(monkeypatch, 30, signal.SIGTERM)
    assert main(["export", str(tmp_path / "calls.jsonl")]) == 143
    _, progress, said = terminal.getvalue().split("\n", 2)
    assert progress.endswith(" rooms/s")
    assert "30 of 320 rooms (9%)" in progress
    assert said.startswith("voip-rooms: stopped by SIGTERM after 30 rooms")


def test_without_a_terminal_the_total_is_not_even_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    counted: list[Any] = []

    def count(self: RocketChatStore, query: Any) -> int:
        counted.append(query)
        return 0

    monkeypatch.setattr(RocketChatStore, "count_rooms", count)
    assert _export(capsys, str(tmp_path / "calls.jsonl")) == (0, DEMO_SOURCE)
    assert counted == []


def test_the_progress_line_is_redrawn_at_most_five_times_a_second_with_the_rate() -> None:
    now = [100.0]
    terminal = _Terminal()
    progress = Progress(terminal, total=1000, clock=lambda: now[0])
    for _ in range(10):  # within the first 0.2 s: nothing drawn
        now[0] += 0.01
        progress.advance()
    assert terminal.getvalue() == ""
    now[0] += 0.15
    progress.advance()
    # 10 rooms after the first, in the 0.24 s since it.
    assert terminal.getvalue() == "\r  11 of 1,000 rooms (1%), 42 rooms/s"
    for _ in range(989):
        progress.advance()
    now[0] += export_progress.INTERVAL
    progress.finish()
    assert terminal.getvalue().endswith("\r  1,000 of 1,000 rooms (100%), 2,270 rooms/s\n")


def test_the_rate_is_measured_from_the_first_room_not_from_the_wait_for_it() -> None:
    now = [100.0]
    terminal = _Terminal()
    progress = Progress(terminal, total=101, clock=lambda: now[0])
    now[0] += 60  # the first page's scan, on an embedded database
    progress.advance()
    for _ in range(100):
        now[0] += 0.01
        progress.advance()
    progress.finish()
    assert terminal.getvalue().endswith("\r  101 of 101 rooms (100%), 100 rooms/s\n")


def test_one_room_is_one_room() -> None:
    terminal = _Terminal()
    progress = Progress(terminal, total=1, clock=lambda: 100.0)
    progress.advance()
    progress.finish()
    assert terminal.getvalue() == "\r  1 of 1 room (100%)\n"


def test_a_stop_after_one_room_says_one_room(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = export_walk.exported_rooms

    def one_room_then_a_stop(*arguments: Any) -> Iterator[Any]:
        yield next(real(*arguments))
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(export, "exported_rooms", one_room_then_a_stop)
    out = tmp_path / "one.jsonl"
    status, err = _export(capsys, str(out))
    assert status == 143
    assert f"voip-rooms: stopped by SIGTERM after 1 room; {out} holds it (the last: " in err


# --- refused before anything is read or written ---


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--filter", "open=maybe", "x.jsonl"],
            'voip-rooms: --filter: The "open" parameter must be true or false.',
        ),
        (["--filter", "queue[$ne]=x", "x.jsonl"], 'voip-rooms: --filter: Unknown parameter "queue[$ne]".'),
        (
            ["--filter", 'sort={"ts":-1}', "x.jsonl"],
            'voip-rooms: --filter takes the API\'s filters; "sort" is not one: '
            "an export is in ts order, then _id",
        ),
        (["--after", "%%%", "x.jsonl"], 'voip-rooms: --after: Invalid "after" parameter: it is not a cursor'),
        (
            ["--after", "", "x.jsonl"],
            "voip-rooms: --after is empty: pass the cursor a stopped export printed",
        ),
        (["."], "voip-rooms: . is a directory: name a file in it, e.g. calls.jsonl.gz"),
        (["--kms-key-id", "k", "x.jsonl"], "voip-rooms: --kms-key-id applies to s3:// outputs only"),
        (["s3://bucket-only"], "voip-rooms: s3://bucket-only names no object: write s3://bucket/key"),
    ],
)
def test_a_bad_argument_is_one_line_and_exit_2_and_writes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    arguments: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    status, err = _export(capsys, *arguments)
    assert status == 2
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_is_never_overwritten(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "calls.jsonl"
    out.write_text("last year's archive\n")
    status, err = _export(capsys, str(out))
    assert (status, err) == (
        2,
        f"voip-rooms: {out} exists: an export never overwrites one; pass --after to continue it\n",
    )
    assert out.read_text() == "last year's archive\n"


def test_data_that_cannot_be_loaded_leaves_no_file_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, err = _export(capsys, "--data", str(tmp_path / "missing"), str(tmp_path / "calls.jsonl"))
    assert status == 2
    assert "data directory not found" in err
    assert not (tmp_path / "calls.jsonl").exists()


def test_an_api_cursor_continues_an_export_and_an_export_cursor_an_api_walk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _export(capsys, str(tmp_path / "all.jsonl"))[0] == 0
    every = _lines(tmp_path / "all.jsonl")
    api = ApiClient(database.get_database(SETTINGS))
    first = api.get({"count": "50", "sort": '{"ts": 1}'}, user=DEMO_ADMIN).body
    assert _export(capsys, "--after", first["next"], str(tmp_path / "rest.jsonl"))[0] == 0
    assert _lines(tmp_path / "rest.jsonl") == every[50:]
    after_60 = export_walk.resume_cursor([_stored_ts(every[59]["_id"]), every[59]["_id"]])
    page = api.get({"count": "5", "sort": '{"ts": 1}', "after": after_60}, user=DEMO_ADMIN).body
    assert page["rooms"] == every[60:65]


def _stored_ts(room_id: str) -> Any:
    stored = database.get_database(SETTINGS)["rocketchat_room"].find_one({"_id": room_id})
    assert stored is not None
    return stored["ts"]


def test_a_stopped_s3_key_continues_as_part_2_then_3() -> None:
    assert next_part_key("2026/12/calls.jsonl.gz") == "2026/12/calls.part2.jsonl.gz"
    assert next_part_key("2026/12/calls.part2.jsonl.gz") == "2026/12/calls.part3.jsonl.gz"
    assert next_part_key("calls") == "calls.part2"


def _write_large_rooms(directory: Path, *, rooms: int, padding: int) -> None:
    from bson import json_util  # noqa: PLC0415

    from tests.factories import ADMIN, default_permissions  # noqa: PLC0415

    directory.mkdir()
    documents = [room(livechatData={"notes": "x" * padding}) for _ in range(rooms)]
    for name, collection in {
        "rocketchat_room": documents,
        "users": [ADMIN.document()],
        "rocketchat_permissions": default_permissions(),
    }.items():
        (directory / f"{name}.json").write_text("".join(json_util.dumps(doc) + "\n" for doc in collection))


def test_a_real_ctrl_c_stops_the_process_after_a_whole_room_and_its_continuation_finishes_the_walk(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_walk, "PAGE_ROWS", 500)  # the comparison's walk: pages as a process has them
    data = tmp_path / "data"
    _write_large_rooms(data, rooms=2000, padding=0)
    command = [shutil.which("voip-rooms", path=str(Path(sys.executable).parent)) or "voip-rooms", "export"]
    env = {name: value for name, value in os.environ.items() if name != "MONGODB_URI"}
    with subprocess.Popen(
        [*command, "--data", str(data), "-"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as first:
        assert first.stdout is not None
        assert first.stderr is not None
        # The pipe fills long before 2,000 rooms: the process is mid-walk, blocked on writing, when it
        # is interrupted; everything it wrote is read to the end.
        head = [first.stdout.readline() for _ in range(50)]
        first.send_signal(signal.SIGINT)
        # The rest through the same reader: communicate() would read the pipe itself, past what
        # readline() has already taken into the reader's buffer, and those rooms would be lost.
        rest = first.stdout.read()
        err = first.stderr.read()
        assert first.wait(timeout=300) == 130, err  # a hang guard: a busy machine may take its time
    written = b"".join(head) + rest
    assert written.endswith(b"}\n"), "whole rooms only"
    arguments = _continue_command(err.decode(), program=command[0])
    second = subprocess.run([*command, *arguments], capture_output=True, env=env, timeout=300, check=False)
    assert second.returncode == 0, second.stderr
    assert _export(capsys, "--data", str(data), str(tmp_path / "whole.jsonl"))[0] == 0
    assert written + second.stdout == (tmp_path / "whole.jsonl").read_bytes()
    assert 50 <= len(written.splitlines()) < 2000


@pytest.mark.parametrize("name", sorted(export_walk.NOT_FILTERS))
def test_paging_order_and_fields_are_the_exports_own_and_refused_in_the_filter(name: str) -> None:
    with pytest.raises(export_walk.ExportError) as refused:
        export_walk.export_filters(f"open=false&{name}=1")
    assert str(refused.value) == (
        f'--filter takes the API\'s filters; "{name}" is not one: {export_walk.NOT_FILTERS[name]}'
    )
