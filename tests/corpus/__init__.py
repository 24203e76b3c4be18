"""Rooms, users and permissions shaped as Rocket.Chat stores them (tests/corpus/README.md says where from).

The ``.json`` files here are a 7.x database as ``mongoexport --jsonFormat=canonical`` writes it;
``write_dump`` turns them into what ``mongodump`` (with and without ``--gzip``) writes, so that each
format is tested. ``rocketchat-8x/`` is the same database after Rocket.Chat 8.x's migrations
(``upgrade.py`` makes it), committed in both forms: ``export/`` (mongoexport) and ``dump/``
(mongodump's root, holding one database folder).
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
UPGRADED = CORPUS / "rocketchat-8x"
FORMATS = ("json", "bson", "bson.gz")
# The Rocket.Chat lines the corpus comes in: as 7.x wrote it, and after the 8.x upgrade.
LINES = ("7.x", "8.x")
# Each line's committed mongoexport directory (read, never written).
EXPORTS = {"7.x": CORPUS, "8.x": UPGRADED / "export"}
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


def corpus_in(directory: Path, fmt: str, line: str = "7.x") -> Path:
    """The corpus of that Rocket.Chat line as ``fmt`` files: the committed ones where they exist
    (read, never written), else written in ``directory``."""
    if line == "8.x":
        if fmt in ("json", "bson"):
            return UPGRADED / ("export" if fmt == "json" else "dump")
        return write_dump(directory, read_collections(EXPORTS[line]), fmt)
    if fmt == "json":
        directory.mkdir(parents=True, exist_ok=True)
        for source in CORPUS.glob("*.json"):
            shutil.copy(source, directory / source.name)
        return directory
    return write_dump(directory, read_collections(CORPUS), fmt)
