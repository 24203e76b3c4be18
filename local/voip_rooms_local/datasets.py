"""Load Rocket.Chat collections from a mongoexport or mongodump directory into an embedded mongomock database.

The endpoint's three collections are loaded, and ``migrations`` (Rocket.Chat's version, for
``voip-rooms doctor``) when present. Each file is read by its own extension: ``<collection>.json``
(mongoexport's Extended JSON, one document per line or one array), ``<collection>.bson`` and
``<collection>.bson.gz`` (mongodump, with or without ``--gzip``); ``*.metadata.json[.gz]`` (mongodump's
index definitions) are ignored. Files are streamed into the database in batches: no whole file is
held beside what mongomock keeps. Whatever the rooms hold is loaded; the loader only counts the rooms
the answer schema does not describe.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

import mongomock
from bson import CodecOptions, DatetimeConversion, decode_file_iter, json_util
from bson.errors import BSONError
from pymongo.database import Database

from voip_rooms_local import bounded_reads, mongodb_order
from voip_rooms_local.room_shapes import ShapeSurvey, batched

COLLECTIONS = ("users", "rocketchat_room", "rocketchat_permissions")
# Read only by `voip-rooms doctor`: Rocket.Chat's migration control document tells its version.
MIGRATIONS = "migrations"
LOADED = (*COLLECTIONS, MIGRATIONS)
ROOMS = "rocketchat_room"
# MongoDB's own databases, which a whole-server mongodump writes beside the application's.
SYSTEM_DATABASES = ("admin", "config", "local")
BATCH = 1000
Document = dict[str, Any]
# Dates outside Python's range (year 0, 10000) stay BSON dates instead of refusing the document.
_BSON_OPTIONS: CodecOptions[Document] = CodecOptions(datetime_conversion=DatetimeConversion.DATETIME_AUTO)
_JSON_OPTIONS = json_util.JSONOptions(
    json_mode=json_util.JSONMode.RELAXED, datetime_conversion=DatetimeConversion.DATETIME_AUTO
)
_READ_SIZE = 1 << 16
# What json_util raises on a well-formed JSON value that is not valid Extended JSON ({"$oid": "x"}).
_DECODE_ERRORS = (ValueError, TypeError, ArithmeticError, BSONError)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class DatasetError(Exception):
    """A data directory that cannot be loaded; the message is one line for the terminal."""


@dataclass
class DataFile:
    path: Path
    collection: str
    read: Callable[[Path], Iterator[Document]]


@dataclass
class Dataset:
    """The files to load, and what to tell the user about the directory (which folder, what was skipped)."""

    files: list[DataFile]
    notes: list[str] = field(default_factory=list)


@dataclass
class Loaded:
    database: Database[Document]
    notes: list[str]


def find_dataset(directory: Path) -> Dataset:
    """The collection files of a mongoexport directory, a mongodump database folder, or a dump's root."""
    if not directory.is_dir():
        raise DatasetError(f"data directory not found: {directory}")
    notes: list[str] = []
    files = _data_files(directory)
    if not any(f.collection in COLLECTIONS for f in files):
        folders = sorted(
            sub for sub in directory.iterdir() if sub.is_dir() and sub.name not in SYSTEM_DATABASES
        )
        databases = [sub for sub in folders if _data_files(sub)]
        if len(databases) > 1:
            names = ", ".join(sub.name for sub in databases)
            raise DatasetError(f"{directory} is a dump of several databases ({names}): pass one of them")
        if databases:
            directory = databases[0]
            notes.append(f"using database folder {directory.name}/ of the dump {directory.parent}")
            files = _data_files(directory)
    wanted = [f for f in files if f.collection in LOADED]
    if not any(f.collection in COLLECTIONS for f in wanted):
        expected = ", ".join(COLLECTIONS)
        raise DatasetError(
            f"no collection files in {directory} (expected .json, .bson or .bson.gz of {expected})"
        )
    _refuse_duplicates(wanted)
    skipped = sorted({f.collection for f in files} - set(LOADED))
    if skipped:
        sample = ", ".join(skipped[:3]) + (", ..." if len(skipped) > 3 else "")
        notes.append(f"skipped {len(skipped)} other collection{'s' if len(skipped) > 1 else ''} ({sample})")
    return Dataset(wanted, notes)


def load_directory(directory: Path) -> Loaded:
    """An embedded database holding the directory's collections, every stored room included."""
    dataset = find_dataset(directory)
    survey = ShapeSurvey()
    streams: dict[str, Iterable[Document]] = {}
    for data_file in dataset.files:
        documents = data_file.read(data_file.path)
        streams[data_file.collection] = (
            survey.passing(documents) if data_file.collection == ROOMS else documents
        )
    database = embedded_database(streams)
    summary = survey.summary()
    return Loaded(database, [*dataset.notes, *([summary] if summary else [])])


def read_collections(directory: Path) -> dict[str, list[Document]]:
    """Every document of the directory's collections, in memory: for tests and small directories."""
    return {f.collection: list(f.read(f.path)) for f in find_dataset(directory).files}


def embedded_database(
    collections: Mapping[str, Iterable[Document]], name: str = "rocketchat"
) -> Database[Document]:
    """An in-process MongoDB holding these collections; the handler reads it through the pymongo API."""
    mongodb_order.install()
    bounded_reads.install()
    database: Any = mongomock.MongoClient()[name]
    for collection, documents in collections.items():
        for batch in batched(documents, BATCH):
            # Copies: mongomock would add fields to the caller's documents.
            database[collection].insert_many([dict(document) for document in batch])
    return cast("Database[Document]", database)


def _data_files(directory: Path) -> list[DataFile]:
    found = []
    for path in sorted(directory.iterdir()):
        name = path.name
        if not path.is_file() or name.endswith((".metadata.json", ".metadata.json.gz")):
            continue
        for suffix, read in _READERS.items():
            if name.endswith(suffix) and len(name) > len(suffix):
                found.append(DataFile(path, name[: -len(suffix)], read))
                break
    return found


def _refuse_duplicates(files: Sequence[DataFile]) -> None:
    seen: dict[str, Path] = {}
    for data_file in files:
        if data_file.collection in seen:
            first = seen[data_file.collection].name
            raise DatasetError(
                f"both {first} and {data_file.path.name} hold {data_file.collection}: keep one"
            )
        seen[data_file.collection] = data_file.path


def _read_extended_json(path: Path) -> Iterator[Document]:
    """mongoexport's output: one document per line, or one array (--jsonArray), read as a stream."""
    try:
        with path.open(encoding="utf-8") as text:
            first = _first_character(text)
            text.seek(0)
            if first == "[":
                yield from _checked(path, _json_array(path, text))
            else:
                yield from _checked(path, _json_lines(path, text))
    except OSError as error:
        raise DatasetError(f"cannot read {path.name}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise DatasetError(f"{path.name}: not UTF-8 text ({error.reason})") from None


def _first_character(text: IO[str]) -> str:
    while chunk := text.read(256):
        if stripped := chunk.lstrip():
            return stripped[0]
    return ""


def _int64(text: str) -> int:
    """A JSON integer as BSON can hold it: MongoDB (and mongoimport) refuse one beyond 64 bits."""
    return _in_int64(int(text), text)


def _in_int64(value: int, written: str) -> int:
    if not _INT64_MIN <= value <= _INT64_MAX:
        shown = f"{written[:24]}{'…' if len(written) > 24 else ''}"
        raise ValueError(f"the integer {shown} is beyond 64 bits")
    return value


def _extended_json_object(pairs: list[tuple[str, Any]]) -> Any:
    """One JSON object as Extended JSON reads it; a {"$numberLong": ...} beyond 64 bits refused as a
    plain integer is (json_util takes any number of digits)."""
    value = json_util.object_pairs_hook(pairs, _JSON_OPTIONS)
    if isinstance(value, int) and not isinstance(value, bool):
        return _in_int64(value, str(value))
    return value


_DECODER = json.JSONDecoder(object_pairs_hook=_extended_json_object, parse_int=_int64)


def _decode(raw: str) -> Any:
    return _DECODER.decode(raw)


def _json_lines(path: Path, text: IO[str]) -> Iterator[Any]:
    for number, line in enumerate(text, 1):
        if not line.strip():
            continue
        try:
            yield _decode(line)
        except _DECODE_ERRORS as error:
            raise DatasetError(f"{path.name}, line {number}: not valid Extended JSON ({error})") from None


def _json_array(path: Path, text: IO[str]) -> Iterator[Any]:
    """The documents of one JSON array, decoded one at a time from a growing window of the file."""
    decoder = _DECODER
    first = text.read(_READ_SIZE)
    buffer = first.lstrip()[1:]  # after the opening bracket
    offset, consumed, at_end = 0, len(first) - len(buffer), False
    number = 0
    while True:
        offset = _skip_separators(buffer, offset)
        if offset < len(buffer) and buffer[offset] == "]":
            return
        where = f"document {number + 1}, character {consumed + offset + 1}"
        try:
            document, end = decoder.raw_decode(buffer, offset)
        except json.JSONDecodeError as error:
            # Either bad JSON or a document cut by the window's end: only the file's end tells.
            if at_end:
                raise DatasetError(f"{path.name}, {where}: not valid Extended JSON ({error})") from None
            more = text.read(max(_READ_SIZE, len(buffer)))
            at_end = not more
            consumed += offset
            buffer, offset = buffer[offset:] + more, 0
            continue
        except _DECODE_ERRORS as error:
            raise DatasetError(f"{path.name}, {where}: not valid Extended JSON ({error})") from None
        number += 1
        yield document
        offset = end


def _skip_separators(buffer: str, offset: int) -> int:
    while offset < len(buffer) and buffer[offset] in " \t\r\n,":
        offset += 1
    return offset


def _read_bson(path: Path) -> Iterator[Document]:
    yield from _checked(path, _bson_stream(path, _opened(path, open)))


def _read_gzipped_bson(path: Path) -> Iterator[Document]:
    yield from _checked(path, _bson_stream(path, _opened(path, gzip.open)))


def _opened(path: Path, opener: Callable[[Path, str], Any]) -> IO[bytes]:
    try:
        stream: IO[bytes] = opener(path, "rb")
    except OSError as error:
        raise DatasetError(f"cannot read {path.name}: {error.strerror or error}") from None
    return stream


def _bson_stream(path: Path, stream: IO[bytes]) -> Iterator[Document]:
    """mongodump's output: BSON documents back to back, decoded one at a time."""
    number = 0
    with stream:
        try:
            for document in decode_file_iter(stream, _BSON_OPTIONS):
                number += 1
                yield document
        except (BSONError, OSError, EOFError, zlib.error) as error:
            where = f"document {number + 1}, byte {_offset(stream)}"
            raise DatasetError(f"{path.name}, {where}: not valid BSON ({error})") from None


def _offset(stream: IO[bytes]) -> str:
    try:
        return str(stream.tell())
    except (OSError, ValueError):
        return "?"


def _checked(path: Path, items: Iterable[Any]) -> Iterator[Document]:
    for position, item in enumerate(items, 1):
        if not isinstance(item, dict) or "_id" not in item:
            raise DatasetError(f"{path.name}: document {position} is not an object with an _id")
        yield item


_READERS: dict[str, Callable[[Path], Iterator[Document]]] = {
    ".bson.gz": _read_gzipped_bson,
    ".bson": _read_bson,
    ".json": _read_extended_json,
}
