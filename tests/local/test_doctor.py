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
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from tests.corpus import UPGRADED, corpus_in, write_dump
from tests.fake_mongod import fake_mongod
from voip_rooms import database
from voip_rooms.settings import SETTINGS
from voip_rooms_local import doctor
from voip_rooms_local.cli import main
from voip_rooms_local.datasets import embedded_database, load_directory, read_collections
from voip_rooms_local.demo import demo_dataset
from voip_rooms_local.doctor import WARNING, diagnose
from voip_rooms_local.indexes import ENDPOINT_INDEXES, ensure_indexes
from voip_rooms_local.versions import mongodb_version, rocketchat_version, supported_by_rocketchat

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def _diagnose(db: Any) -> dict[str, Any]:
    diagnosis = diagnose(db, "test", login_expiration=timedelta(days=90), now=NOW, room_limit=100_000)
    return {check.topic: check for check in diagnosis.checks} | {"exit": diagnosis.exit_status}


def _run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = main(["doctor", *arguments])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_the_demo_database_passes_with_its_indexes_in_place(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = _run(capsys)
    assert status == 0
    assert (
        "[ok  ] permission view-livechat-rooms: granted to admin, livechat-manager, livechat-monitor" in out
    )
    assert "[ok  ] VoIP rooms: 320 (24 open)" in out
    assert "[ok  ] answer schema: describes all 320 VoIP rooms" in out
    assert f"[ok  ] indexes: all {len(ENDPOINT_INDEXES)} endpoint indexes exist" in out
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


def test_users_holding_login_tokens_without_a_username_are_counted_and_named() -> None:
    data = demo_dataset()
    holder = next(user for user in data["users"] if user.get("services", {}).get("resume"))
    nameless = [holder | {"_id": "app-user"}, holder | {"_id": "imported", "username": ""}]
    del nameless[0]["username"]
    data["users"] += nameless
    check = _diagnose(embedded_database(data))["login tokens"]
    assert check.status == WARNING
    assert check.details["users_without_username"] == 2
    assert check.details["users_without_username_ids"] == ["app-user", "imported"]
    assert check.message.endswith(
        "; 2 users without a username hold login tokens (app-user, imported): the endpoint refuses "
        "them (401), as Rocket.Chat 8.x does"
    )


def test_an_8x_corpus_names_its_user_without_a_username() -> None:
    check = _diagnose(load_directory(UPGRADED / "export").database)["login tokens"]
    assert check.status == WARNING
    assert check.details["users_without_username_ids"] == ["corpus-no-username"]
    assert "; 1 user without a username holds login tokens (corpus-no-username): " in check.message


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


# --- which Rocket.Chat and which MongoDB (contract §8) ---


@pytest.mark.parametrize("form", ["export", "dump"])
def test_an_8x_database_is_named_with_the_route_gone_and_the_rooms_the_upgrade_closed(
    capsys: pytest.CaptureFixture[str], form: str
) -> None:
    status, out, _ = _run(capsys, "--data", str(UPGRADED / form))
    assert status == 0
    assert (
        "[ok  ] Rocket.Chat: 8.x (migration 338): 8.0 removed GET /api/v1/voip/rooms and the VoIP feature "
        "but kept the rooms; this endpoint is the way left to them"
    ) in out
    assert (
        "[warn] closed by the 8.0 upgrade: 5 VoIP rooms were closed by the upgrade (no open, no closedAt): "
        "listed with open=false and without open, never with open=true; no closedAt range matches them, and "
        "a sort by closedAt puts them first (ascending) or last (descending)"
    ) in out
    assert "[ok  ] VoIP rooms: 29 (0 open)" in out


def test_a_7x_database_still_serves_the_route_and_has_no_room_closed_by_an_upgrade(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = _run(capsys, "--json", "--data", str(corpus_in(tmp_path, "bson")))
    checks = {check["topic"]: check for check in json.loads(out)["checks"]}
    assert status == 0
    assert checks["Rocket.Chat"]["details"] == {
        "migration": 322,
        "locked": False,
        "line": "7.x or earlier",
        "serves_route": True,
    }
    assert checks["Rocket.Chat"]["message"].endswith(
        "7.x reached its end of life on 2026-09-30, and 8.0 removes the route"
    )
    assert checks["closed by the 8.0 upgrade"]["status"] == "ok"
    assert checks["closed by the 8.0 upgrade"]["details"] == {"closed_by_upgrade": 0}
    assert checks["MongoDB"]["details"] == {"version": None, "supported_by_rocketchat": None}
    assert checks["MongoDB"]["message"].startswith("the embedded database is no MongoDB server")


def test_the_json_form_carries_the_8x_facts() -> None:
    found = _diagnose(load_directory(UPGRADED / "export").database)
    assert found["Rocket.Chat"].details == {
        "migration": 338,
        "locked": False,
        "line": "8.x",
        "serves_route": False,
    }
    assert found["closed by the 8.0 upgrade"].details == {"closed_by_upgrade": 5}


def test_without_a_migration_control_document_the_version_is_unknown_and_said_so() -> None:
    found = _diagnose(embedded_database(demo_dataset()))
    check = found["Rocket.Chat"]
    assert check.status == WARNING
    assert check.message == (
        'no migration control document (migrations, _id "control"): the version is unknown; '
        "export or dump the migrations collection with the others"
    )
    assert check.details["line"] is None
    assert found["closed by the 8.0 upgrade"].message == "no VoIP room lacks both open and closedAt"
    assert found["exit"] == 0


def test_a_locked_migration_is_a_warning() -> None:
    data = demo_dataset() | {"migrations": [{"_id": "control", "version": 326, "locked": True}]}
    check = _diagnose(embedded_database(data))["Rocket.Chat"]
    assert check.status == WARNING
    assert check.message.endswith("; a migration is running or stopped half-way (locked)")
    assert check.details["line"] == "8.x"


@pytest.mark.parametrize(
    ("control", "line"),
    [
        ({"version": 324}, "7.x or earlier"),
        ({"version": 325}, "8.x"),
        ({"version": 325.0}, "8.x"),
        ({"version": "338"}, None),
        ({"version": True}, None),
        ({"version": math.nan}, None),
        ({}, None),
    ],
)
def test_the_line_is_8x_from_the_first_migration_that_removed_voip(
    control: dict[str, Any], line: str | None
) -> None:
    db = embedded_database({"migrations": [{"_id": "control", **control}]})
    assert rocketchat_version(db).line == line


@pytest.mark.parametrize(
    ("version", "shown"),
    [(math.nan, "nan"), (math.inf, "inf"), ("338", "'338'"), (325.5, "325.5"), (None, "None")],
)
def test_a_migration_version_that_is_no_whole_number_is_reported_unreadable(version: Any, shown: str) -> None:
    data = demo_dataset() | {"migrations": [{"_id": "control", "version": version, "locked": False}]}
    found = _diagnose(embedded_database(data))
    check = found["Rocket.Chat"]
    assert check.status == WARNING
    assert check.message == (
        f"the migration control document holds no readable version ({shown}): the version is unknown"
    )
    assert check.details["migration"] is None
    assert check.details["line"] is None
    assert found["exit"] == 0


def test_rooms_without_open_and_closed_at_on_a_7x_database_are_named_without_blaming_an_upgrade() -> None:
    data = demo_dataset() | {"migrations": [{"_id": "control", "version": 322}]}
    stray = next(room for room in data["rocketchat_room"] if room["t"] == "v" and "closedAt" in room)
    del stray["closedAt"]
    stray.pop("open", None)
    check = _diagnose(embedded_database(data))["closed by the 8.0 upgrade"]
    assert check.status == WARNING
    assert check.message.startswith("1 VoIP room has neither open nor closedAt: listed with open=false")


@pytest.mark.parametrize(
    ("line", "version", "supported"),
    [
        ("7.x or earlier", "4.4.29", False),
        ("7.x or earlier", "5.0.3", True),
        ("7.x or earlier", "6.3.1", True),
        ("7.x or earlier", "7.0.12", True),
        ("7.x or earlier", "7.3.0", False),
        ("7.x or earlier", "8.0.4", True),
        ("7.x or earlier", "8.2.1", False),
        ("8.x", "6.0.19", False),
        ("8.x", "7.0.12", True),
        ("8.x", "8.0.4", True),
        ("8.x", "8.2.1", True),
        (None, "8.0.4", None),
        ("8.x", "unknown", None),
    ],
)
def test_mongodb_versions_are_judged_by_what_rocket_chat_supports_for_the_line(
    line: str | None, version: str, supported: bool | None
) -> None:
    assert supported_by_rocketchat(line, version)[0] is supported


@pytest.mark.parametrize(
    ("migration", "status", "message"),
    [
        (322, "ok", "8.0.4: Rocket.Chat 7.x supports MongoDB 5.0 to 7.0, its latest releases 8.0 too"),
        (338, "ok", "8.0.4: Rocket.Chat 8.x documents MongoDB 8.0"),
    ],
)
def test_the_server_version_comes_from_buildinfo(
    migration: int, status: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doctor, "mongodb_version", lambda database: "8.0.4")
    data = demo_dataset() | {"migrations": [{"_id": "control", "version": migration}]}
    check = _diagnose(embedded_database(data))["MongoDB"]
    assert (check.status, check.message) == (status, message)
    assert check.details == {"version": "8.0.4", "supported_by_rocketchat": True}


def test_a_version_rocket_chat_does_not_support_for_its_line_is_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(doctor, "mongodb_version", lambda database: "6.0.19")
    data = demo_dataset() | {"migrations": [{"_id": "control", "version": 338}]}
    found = _diagnose(embedded_database(data))
    assert found["MongoDB"].status == WARNING
    assert found["MongoDB"].message == "6.0.19: Rocket.Chat 8.x refuses to start below MongoDB 7.0"
    assert found["exit"] == 0, "the endpoint itself works on it"


def test_a_server_that_refuses_buildinfo_leaves_the_version_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(database: Any) -> str:
        raise OperationFailure("not authorized on admin to execute command", 13)

    monkeypatch.setattr(doctor, "mongodb_version", refused)
    check = _diagnose(embedded_database(demo_dataset()))["MongoDB"]
    assert check.status == WARNING
    assert check.message == "the server refused buildInfo (13): its version is unknown"


def test_the_version_is_read_from_a_servers_buildinfo_over_the_wire(demo_database: Any) -> None:
    with fake_mongod(0, demo_database) as mongod:
        mongod.server_version = "8.0.17"
        client: MongoClient[dict[str, Any]] = MongoClient(
            f"mongodb://127.0.0.1:{mongod.port}/?directConnection=true", serverSelectionTimeoutMS=60_000
        )
        try:
            assert mongodb_version(client["rocketchat"]) == "8.0.17"
        finally:
            client.close()
