from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from voip_rooms_local.cli import main
from voip_rooms_local.datasets import DatasetError, read_collections

ROOM = {
    "_id": "r1",
    "t": "v",
    "ts": {"$date": "2026-07-01T10:00:00.123Z"},
    "open": True,
    "servedBy": {"_id": "a1", "username": "a"},
    "callDuration": {"$numberLong": "61000"},
}
USER = {"_id": "u1", "roles": ["admin"], "services": {"resume": {"loginTokens": []}}}


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
