"""`voip-rooms doctor`: a read-only pre-flight check of a database, with exit statuses 0, 1 and 2."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson.datetime_ms import DatetimeMS
from bson.decimal128 import Decimal128

from tests.corpus import corpus_in, write_dump
from voip_rooms import database
from voip_rooms.settings import SETTINGS
from voip_rooms_local import doctor
from voip_rooms_local.cli import main
from voip_rooms_local.datasets import embedded_database, read_collections
from voip_rooms_local.demo import demo_dataset
from voip_rooms_local.doctor import WARNING, diagnose
from voip_rooms_local.indexes import ENDPOINT_INDEXES, ensure_indexes

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _diagnose(db: Any) -> dict[str, Any]:
    diagnosis = diagnose(db, "test", login_expiration=timedelta(days=90), now=NOW, room_limit=100_000)
    return {check.topic: check for check in diagnosis.checks} | {"exit": diagnosis.exit_status}


def _run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = main(["doctor", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_demo_database_passes_with_a_warning_for_its_missing_indexes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _run(capsys)
    assert status == 0
    assert (
        "[ok  ] permission view-livechat-rooms: granted to admin, livechat-manager, livechat-monitor" in out
    )
    assert "[ok  ] VoIP rooms: 320 (24 open)" in out
    assert "[ok  ] answer schema: describes all 320 VoIP rooms" in out
    assert f"[warn] indexes: {len(ENDPOINT_INDEXES)} of {len(ENDPOINT_INDEXES)} missing" in out
    assert "[ok  ] cursor walks: walks by ts (the default order) are exact" in out
    assert out.rstrip().endswith("the endpoint will work on this database")


def test_the_corpus_passes_and_reports_its_tokens_as_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "--json", "--data", str(corpus_in(tmp_path, "bson.gz")))
    report = json.loads(out)
    assert status == 0
    assert report["ok"] is True
    checks = {check["topic"]: check for check in report["checks"]}
    assert checks["VoIP rooms"]["details"] == {"voip_rooms": 29, "open": 5}
    assert checks["answer schema"]["details"]["undescribed"] == 0
    tokens = checks["login tokens"]["details"]
    assert tokens["users_with_tokens"] == 7
    assert tokens["tokens"] == 74
    # Every resume token is from 2022-2023 or undated; the four personal access tokens never expire.
    assert tokens["refused_as_expired"] == 70


def test_a_missing_permission_document_breaks_the_endpoint_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    collections = read_collections(corpus_in(tmp_path / "corpus", "json"))
    collections["rocketchat_permissions"] = [
        p for p in collections["rocketchat_permissions"] if p["_id"] != "view-l-room"
    ]
    status, out, _ = _run(capsys, "--data", str(write_dump(tmp_path / "dump", collections, "bson")))
    assert status == 1
    assert "[FAIL] permission view-l-room: missing: agents listing their own rooms get 403" in out
    assert out.rstrip().endswith("something here breaks the endpoint (FAIL above)")


def test_without_either_permission_every_caller_gets_403() -> None:
    db = embedded_database({"rocketchat_permissions": [{"_id": "view-livechat-rooms", "roles": []}]})
    found = _diagnose(db)
    assert found["exit"] == 1
    assert found["permission view-livechat-rooms"].message == "grants no role: every caller gets 403"
    assert found["permission view-l-room"].message == "missing: every caller gets 403"


def test_a_missing_index_is_named_as_the_indexes_command_names_it() -> None:
    db = embedded_database(demo_dataset())
    ensure_indexes(db["rocketchat_room"], dry_run=False)
    db["rocketchat_room"].drop_index(ENDPOINT_INDEXES[2].name)
    found = _diagnose(db)
    assert found["indexes"].status == WARNING
    assert found["indexes"].details == {"missing": [ENDPOINT_INDEXES[2].name]}
    assert found["exit"] == 0


def test_rooms_the_schema_does_not_describe_are_counted_with_sample_paths() -> None:
    rooms = demo_dataset()["rocketchat_room"]
    rooms[0]["ts"] = "last tuesday"
    rooms[1]["v"] = {"phone": [{"phoneNumber": "+1 555"}]}
    found = _diagnose(embedded_database({"rocketchat_room": rooms}))
    assert found["answer schema"].status == WARNING
    assert found["answer schema"].details == {
        "checked": 320,
        "undescribed": 2,
        "sample_paths": ["ts", "v.phone"],
    }


def test_doctor_only_reads(tmp_path: Path) -> None:
    db = embedded_database(demo_dataset())
    before = {name: list(db[name].find()) for name in db.list_collection_names()}
    indexes = db["rocketchat_room"].index_information()
    _diagnose(db)
    assert {name: list(db[name].find()) for name in db.list_collection_names()} == before
    assert db["rocketchat_room"].index_information() == indexes


def test_an_unreachable_database_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    unreachable = replace(SETTINGS, mongodb_uri="mongodb://127.0.0.1:1/rocketchat", mongodb_timeout_ms=300)
    monkeypatch.setattr("voip_rooms_local.cli.SETTINGS", unreachable)
    database.use_database(None)
    status, out, err = _run(capsys)
    database.get_database(unreachable).client.close()
    database.use_database(None)
    assert (status, out) == (2, "")
    assert err.startswith("voip-rooms: cannot read the database: ")
    assert err.count("\n") == 1


@pytest.mark.parametrize("arguments", [["--rooms", "0"], ["--data", "/nonexistent/dir"]])
def test_a_bad_argument_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], arguments: list[str]
) -> None:
    status, out, err = _run(capsys, *arguments)
    assert (status, out) == (2, "")
    assert err.count("\n") == 1


def test_a_permission_removed_and_an_index_missing_are_both_reported() -> None:
    data = demo_dataset()
    data["rocketchat_permissions"] = [
        p for p in data["rocketchat_permissions"] if p["_id"] != "view-livechat-rooms"
    ]
    db = embedded_database(data)
    ensure_indexes(db["rocketchat_room"], dry_run=False)
    db["rocketchat_room"].drop_index(ENDPOINT_INDEXES[1].name)
    found = _diagnose(db)
    assert found["exit"] == 1
    assert found["permission view-livechat-rooms"].message == (
        "missing: no one may list every room: managers, monitors and admins get 403"
    )
    assert found["permission view-l-room"].status == "ok"
    assert found["indexes"].details == {"missing": [ENDPOINT_INDEXES[1].name]}


def test_rooms_whose_ts_no_cursor_can_follow_are_counted() -> None:
    dataset = demo_dataset()
    voip = [room for room in dataset["rocketchat_room"] if room["t"] == "v"]
    voip[0]["ts"] = [voip[0]["ts"], voip[1]["ts"]]
    voip[1]["ts"] = {"when": voip[1]["ts"]}
    check = _diagnose(embedded_database(dataset))["cursor walks"]
    assert check.status == WARNING
    assert check.details == {"unfollowable_ts": 2}
    assert check.message.startswith("2 VoIP rooms hold an array or embedded document in ts")


def test_cursor_walks_are_proved_exact_at_each_change_of_type_in_ts() -> None:
    dataset = demo_dataset()
    voip = [room for room in dataset["rocketchat_room"] if room["t"] == "v"]
    del voip[0]["ts"]
    voip[1]["ts"] = DatetimeMS(-62_200_000_000_000)  # before the year 1
    voip[2]["ts"] = Decimal128("NaN")
    voip[3]["ts"] = math.nan
    check = _diagnose(embedded_database(dataset))["cursor walks"]
    assert check.status == "ok", check.message
    # Descending: the first row, dates to DatetimeMS, to the NaNs (a double and a Decimal128, in
    # either order), and the last row, the one without ts.
    assert check.details["probed_rows"] == 5
    assert check.details["disagreeing_rows"] == []


def test_a_cursor_condition_that_disagrees_with_the_sort_breaks_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(doctor, "after_branches", lambda order, values: [{"_id": {"$in": []}}])
    check = _diagnose(embedded_database(demo_dataset()))["cursor walks"]
    assert check.status == "broken"
    assert check.details["disagreeing_rows"] == [0]  # the last row has nothing after it either way
    assert "would repeat or skip rooms" in check.message


def test_a_cursor_page_the_database_cannot_answer_breaks_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "after_branches", lambda order, values: [{"ts": {"$near": [0, 0]}}])
    found = _diagnose(embedded_database(demo_dataset()))
    assert found["cursor walks"].status == "broken"
    assert found["cursor walks"].message.startswith(
        "a cursor page fails on this database (NotImplementedError"
    )
    assert found["exit"] == 1
