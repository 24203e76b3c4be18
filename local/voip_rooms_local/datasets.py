"""Load Rocket.Chat collections from MongoDB Extended JSON files into an embedded mongomock database."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, cast

import mongomock
from bson import json_util
from pydantic import ValidationError
from pymongo.database import Database

from voip_rooms_local.models import VoipRoom

COLLECTIONS = ("users", "rocketchat_room", "rocketchat_permissions")
Document = dict[str, Any]


class DatasetError(Exception):
    """A data directory that cannot be loaded; the message is one line for the terminal."""


def load_directory(directory: Path) -> dict[str, list[Document]]:
    """Read ``<collection>.json`` files: one document per line (mongoexport) or a JSON array (--jsonArray)."""
    if not directory.is_dir():
        raise DatasetError(f"data directory not found: {directory}")
    files = sorted(directory.glob("*.json"))
    if not files:
        raise DatasetError(f"no <collection>.json files in {directory} (expected {', '.join(COLLECTIONS)})")
    collections: dict[str, list[Document]] = {}
    for file in files:
        if file.stem not in COLLECTIONS:
            raise DatasetError(
                f"unknown file {file.name}: expected one of {', '.join(c + '.json' for c in COLLECTIONS)}"
            )
        collections[file.stem] = _read_extended_json(file)
    _check_rooms(collections.get("rocketchat_room", []))
    return collections


def _read_extended_json(file: Path) -> list[Document]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise DatasetError(f"cannot read {file.name}: {error}") from None
    if text.lstrip().startswith("["):
        try:
            documents = json_util.loads(text)
        except ValueError as error:
            raise DatasetError(f"{file.name}: not valid Extended JSON ({error})") from None
        return _documents(file, documents)
    parsed = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            parsed.append(json_util.loads(line))
        except ValueError as error:
            raise DatasetError(f"{file.name}, line {number}: not valid Extended JSON ({error})") from None
    return _documents(file, parsed)


def _documents(file: Path, items: Sequence[Any]) -> list[Document]:
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict) or "_id" not in item:
            raise DatasetError(f"{file.name}: document {position} is not an object with an _id")
    return list(items)


def _check_rooms(rooms: Sequence[Document]) -> None:
    for room in rooms:
        if room.get("t") != "v":
            continue
        try:
            VoipRoom.model_validate(room)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            raise DatasetError(
                f"rocketchat_room.json: VoIP room {room['_id']}: {where}: {first['msg']}"
            ) from None


def embedded_database(
    collections: Mapping[str, Sequence[Document]], name: str = "rocketchat"
) -> Database[Document]:
    """An in-process MongoDB holding these collections; the handler reads it through the pymongo API."""
    database: Any = mongomock.MongoClient()[name]
    for collection, documents in collections.items():
        if documents:
            database[collection].insert_many([dict(doc) for doc in documents])
    return cast("Database[Document]", database)
