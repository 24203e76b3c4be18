"""Rooms, users and permissions shaped as Rocket.Chat stores them (tests/corpus/README.md says where from).

The three ``.json`` files are what ``mongoexport --jsonFormat=canonical`` writes; ``write_dump`` turns
them into what ``mongodump`` (with and without ``--gzip``) writes, so that each format is tested.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import bson

from voip_rooms_local.datasets import read_collections

CORPUS = Path(__file__).parent
FORMATS = ("json", "bson", "bson.gz")
ADMIN_ID, ADMIN_PAT = "corpus-admin", "corpus-admin-pat"
AGENT_ID, AGENT_PAT = "corpus-agent", "corpus-agent-pat"
VOIP_ROOM_COUNT = 29


def write_dump(directory: Path, collections: Mapping[str, Sequence[dict[str, Any]]], fmt: str) -> Path:
    """``<collection>.<fmt>`` files in ``directory``, plus mongodump's metadata beside BSON."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, documents in collections.items():
        data = b"".join(bson.encode(document) for document in documents)
        if fmt == "bson":
            (directory / f"{name}.bson").write_bytes(data)
            (directory / f"{name}.metadata.json").write_text(
                '{"indexes":[{"v":2,"key":{"_id":1},"name":"_id_"}]}'
            )
        elif fmt == "bson.gz":
            (directory / f"{name}.bson.gz").write_bytes(gzip.compress(data))
            (directory / f"{name}.metadata.json.gz").write_bytes(gzip.compress(b'{"indexes":[]}'))
        else:
            raise ValueError(fmt)
    return directory


def corpus_in(directory: Path, fmt: str) -> Path:
    """The corpus as ``fmt`` files in ``directory``."""
    if fmt == "json":
        directory.mkdir(parents=True, exist_ok=True)
        for source in CORPUS.glob("*.json"):
            shutil.copy(source, directory / source.name)
        return directory
    return write_dump(directory, read_collections(CORPUS), fmt)
