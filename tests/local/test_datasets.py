from __future__ import annotations

import gzip
import io
import json
import re
import sys
from datetime import datetime
from pathlib import Path

import bson
import pytest
from bson import json_util
from bson.decimal128 import Decimal128

from tests.corpus import write_dump
from tests.factories import ADMIN, ROOMS_PATH, default_permissions
from voip_rooms_local.cli import main
from voip_rooms_local.datasets import DatasetError, find_dataset, load_directory, read_collections
from voip_rooms_local.events import rest_event

ROOM = {
    "_id": "r1",
    "t": "v",
    "ts": {"$date": "2026-07-01T10:00:00.123Z"},
    "open": True,
    "servedBy": {"_id": "a1", "username": "a"},
    "callDuration": {"$numberLong": "61000"},
}
USER = {"_id": "u1", "roles": ["admin"], "services": {"resume": {"loginTokens": []}}}
STORED_ROOM = json_util.loads(json.dumps(ROOM))


def test_loads_one_document_per_line_as_mongoexport_writes(tmp_path: Path) -> None:
    (tmp_path / "rocketchat_room.json").write_text(
        json.dumps(ROOM) + "\n\n" + json.dumps({**ROOM, "_id": "r2"})
    )
    rooms = read_collections(tmp_path)["rocketchat_room"]
    assert [room["_id"] for room in rooms] == ["r1", "r2"]
    assert rooms[0]["ts"] == datetime(2026, 7, 1, 10, 0, 0, 123000)
    assert rooms[0]["callDuration"] == 61000


def test_loads_a_json_array_as_mongoexport_jsonarray_writes(tmp_path: Path) -> None:
    (tmp_path / "rocketchat_room.json").write_text(json.dumps([ROOM]))
    (tmp_path / "users.json").write_text(json.dumps([USER], indent=2))
    data = read_collections(tmp_path)
    assert data["rocketchat_room"][0]["ts"] == datetime(2026, 7, 1, 10, 0, 0, 123000)
    assert data["users"][0]["_id"] == "u1"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"rocketchat_room.json": "{not json"}, "rocketchat_room.json, line 1: not valid Extended JSON"),
        ({"rocketchat_room.json": "[{]"}, "rocketchat_room.json, document 1, character"),
        ({"users.json": '[{"name": "no id"}]'}, "document 1 is not an object with an _id"),
        ({"rooms.json": "[]"}, "no collection files in"),
        ({}, "no collection files in"),
    ],
)
def test_bad_data_is_a_clear_error(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(DatasetError, match=message.replace("(", r"\(").replace(".", r"\.")):
        read_collections(tmp_path)


def test_serve_with_bad_data_prints_one_line_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "users.json").write_text("{oops")
    assert main(["serve", "--port", "0", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("voip-rooms: users.json, line 1")


def test_serve_with_a_missing_directory_prints_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--data", str(tmp_path / "nope")]) == 2
    assert capsys.readouterr().err == f"voip-rooms: data directory not found: {tmp_path / 'nope'}\n"


def test_loads_mongodump_bson_plain_and_gzipped_and_ignores_metadata(tmp_path: Path) -> None:
    rooms = [{**STORED_ROOM, "_id": f"r{n}", "ts": datetime(2026, 7, 1, 10, n)} for n in range(3)]
    write_dump(tmp_path, {"rocketchat_room": rooms}, "bson")
    write_dump(tmp_path, {"users": [USER]}, "bson.gz")
    data = read_collections(tmp_path)
    assert data["rocketchat_room"] == rooms
    assert data["users"] == [USER]


def test_a_json_array_larger_than_one_read_streams_document_by_document(tmp_path: Path) -> None:
    rooms = [{**ROOM, "_id": f"r{n}", "fname": "x" * 500} for n in range(400)]
    (tmp_path / "rocketchat_room.json").write_text("[\n" + ",\n".join(json.dumps(r) for r in rooms) + "\n]\n")
    assert [room["_id"] for room in read_collections(tmp_path)["rocketchat_room"]] == [
        f"r{n}" for n in range(400)
    ]


def test_a_dump_root_with_one_database_folder_uses_it_and_says_so(tmp_path: Path) -> None:
    write_dump(
        tmp_path / "rocketchat",
        {"rocketchat_room": [STORED_ROOM], "rocketchat_message": [{"_id": "m"}]},
        "bson",
    )
    write_dump(tmp_path / "admin", {"system.version": [{"_id": "featureCompatibilityVersion"}]}, "bson")
    (tmp_path / "prelude.json").write_text('{"ServerVersion": "7.0.12"}')
    loaded = load_directory(tmp_path)
    assert loaded.notes == [
        f"using database folder rocketchat/ of the dump {tmp_path}",
        "skipped 1 other collection (rocketchat_message)",
    ]
    assert loaded.database["rocketchat_room"].count_documents({}) == 1


def test_a_dump_root_with_several_databases_is_a_one_line_error_naming_them(tmp_path: Path) -> None:
    write_dump(tmp_path / "rocketchat", {"users": [USER]}, "bson")
    write_dump(tmp_path / "staging", {"users": [USER]}, "bson.gz")
    with pytest.raises(DatasetError, match=r"several databases \(rocketchat, staging\)"):
        find_dataset(tmp_path)


def test_other_collections_of_a_whole_database_dump_are_skipped_with_one_line(tmp_path: Path) -> None:
    others = ["rocketchat_message", "rocketchat_settings", "rocketchat_subscription", "rocketchat_uploads"]
    write_dump(tmp_path, {name: [{"_id": "x"}] for name in [*others, "users"]}, "bson.gz")
    loaded = load_directory(tmp_path)
    assert loaded.notes == [
        "skipped 4 other collections (rocketchat_message, rocketchat_settings, rocketchat_subscription, ...)"
    ]


def test_rocket_chats_migration_control_document_is_loaded_beside_the_endpoints_collections(
    tmp_path: Path,
) -> None:
    control = {"_id": "control", "version": 338, "locked": False}
    write_dump(
        tmp_path, {"users": [USER], "migrations": [control], "rocketchat_settings": [{"_id": "x"}]}, "bson"
    )
    loaded = load_directory(tmp_path)
    assert list(loaded.database["migrations"].find()) == [control]
    assert loaded.notes == ["skipped 1 other collection (rocketchat_settings)"]


def test_a_directory_with_only_the_migrations_collection_is_no_dataset(tmp_path: Path) -> None:
    write_dump(tmp_path, {"migrations": [{"_id": "control", "version": 338}]}, "bson")
    with pytest.raises(DatasetError, match="no collection files in"):
        find_dataset(tmp_path)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "users.bson",
            bson.encode(USER) + b"\x30\x00\x00\x00garbage",
            r"users\.bson, document 2, byte \d+: not valid BSON",
        ),
        (
            "users.bson.gz",
            gzip.compress(bson.encode(USER), mtime=0)[:-12],
            r"users\.bson\.gz, document 1, byte \d+: not valid BSON",
        ),
        ("users.bson.gz", b"not gzip at all", r"users\.bson\.gz, document 1, byte \d+: not valid BSON"),
        (
            "users.bson",
            bson.encode({"name": "no id"}),
            r"users\.bson: document 1 is not an object with an _id",
        ),
        ("users.json", "[" + json.dumps(USER) + ", {oops}]", r"users\.json, document 2, character \d+"),
        ("users.json", "[" + json.dumps(USER), r"users\.json, document 2, character \d+"),
    ],
)
def test_an_unparsable_file_is_one_line_naming_the_file_and_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes | str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    assert main(["serve", "--port", "0", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert re.match(r"voip-rooms: " + message, err), err


def test_the_same_collection_in_two_formats_is_refused(tmp_path: Path) -> None:
    (tmp_path / "users.json").write_text(json.dumps(USER))
    write_dump(tmp_path, {"users": [USER]}, "bson")
    with pytest.raises(DatasetError, match=r"both users\.bson and users\.json hold users"):
        find_dataset(tmp_path)


def test_rooms_the_schema_does_not_describe_are_served_with_one_summary_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = [
        {**STORED_ROOM, "_id": "s1", "ts": "yesterday"},
        {**STORED_ROOM, "_id": "s2", "callDuration": Decimal128("61.5")},
        {**STORED_ROOM, "_id": "s3", "v": {"phone": [{"phoneNumber": "+1 555"}]}},
        {**STORED_ROOM, "_id": "fine"},
    ]
    write_dump(
        tmp_path,
        {
            "rocketchat_room": odd,
            "users": [ADMIN.document()],
            "rocketchat_permissions": default_permissions(),
        },
        "bson",
    )
    monkeypatch.setattr(
        sys, "stdin", io.StringIO(json.dumps(rest_event("GET", ROOMS_PATH, headers=ADMIN.credentials)))
    )
    assert main(["invoke", "-", "--data", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    notes = [line for line in captured.err.splitlines() if line.startswith("voip-rooms: ")]
    assert notes == [
        "voip-rooms: 3 of 4 VoIP rooms hold values the answer schema does not describe "
        "(first paths: ts, callDuration, v.phone); they are served as stored"
    ]
    body = json.loads(json.loads(captured.out)["body"])
    assert {room["_id"]: room.get("callDuration") for room in body["rooms"]} == {
        "s1": 61000,
        "s2": "61.5",
        "s3": 61000,
        "fine": 61000,
    }


@pytest.mark.parametrize(
    "document",
    [
        '{"_id": {"$oid": "xyz"}}',
        '{"_id": "a", "d": {"$numberDecimal": "zz"}}',
        '{"_id": "a", "ts": {"$date": {"$numberLong": "99999999999999999999999"}}}',
        '{"_id": "a", "ts": {"$date": "garbage"}}',
        '{"_id": "a", "t": {"$timestamp": {"t": "x", "i": 1}}}',
        '{"_id": "a", "x": {"$dbPointer": 5}}',
    ],
)
@pytest.mark.parametrize(("layout", "where"), [("{}", "line 1"), ("[{}]", "document 1, character 2")])
def test_json_that_is_not_valid_extended_json_is_one_line_never_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: str, layout: str, where: str
) -> None:
    (tmp_path / "users.json").write_text(layout.format(document))
    assert main(["indexes", "--dry-run", "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"voip-rooms: users.json, {where}: not valid Extended JSON (")
    assert err.count("\n") == 1


TOO_LARGE = "123456789012345678901234567890"


@pytest.mark.parametrize(
    "layout", [("{}", "line 1"), ("[{}]", "document 1, character 2")], ids=["lines", "array"]
)
@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["doctor"]])
@pytest.mark.parametrize("written", [TOO_LARGE, f'{{"$numberLong": "{TOO_LARGE}"}}'], ids=["plain", "long"])
def test_an_integer_mongodb_cannot_store_is_one_line_naming_the_file(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
    layout: tuple[str, str],
    written: str,
) -> None:
    room = '{"_id": "r1", "t": "v", "msgs": ' + written + "}"
    (tmp_path / "rocketchat_room.json").write_text(layout[0].format(room))
    assert main([*command, "--data", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"voip-rooms: rocketchat_room.json, {layout[1]}: not valid Extended JSON "
        "(the integer 123456789012345678901234… is beyond 64 bits)\n"
    )


def test_the_largest_and_smallest_64_bit_integers_load(tmp_path: Path) -> None:
    (tmp_path / "rocketchat_room.json").write_text(
        '{"_id": "r1", "t": "v", "msgs": 9223372036854775807, "usersCount": -9223372036854775808}'
    )
    [room] = read_collections(tmp_path)["rocketchat_room"]
    assert (room["msgs"], room["usersCount"]) == (2**63 - 1, -(2**63))
