"""What a database says about the Rocket.Chat and the MongoDB it runs with, for ``voip-rooms doctor``.

Rocket.Chat records the last migration it ran in the ``migrations`` collection's control document
(``{_id: "control", version: N, locked: …}``). 8.0 removed the Omnichannel VoIP feature with its
migrations from v325 on (v326 closes the open calls by removing ``open``, without ``closedAt``), so
the version tells the line: from 325, 8.x; below, 7.x or earlier. MongoDB tells its own version in
``buildInfo``; an embedded database (mongomock) is no server and cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pymongo.database import Database

from voip_rooms.query import VOIP_ROOM_TYPE

FIRST_8X_MIGRATION = 325
LINE_8X, LINE_7X = "8.x", "7.x or earlier"
# What Rocket.Chat documents for each line: 7.x runs on 5.0 to 7.0 (Atlas's rapid releases between
# them included; its latest releases on 8.0 too); 8.x refuses to start below 7.0, and 8.2 and later
# require 8.0.
_7X_OLDEST = (5, 0)
_8X_FLOOR, _8X_DOCUMENTED = (7, 0), (8, 0)
# Rooms the 8.0 upgrade closed: v326 removed open, and nothing ever set closedAt on them.
CLOSED_BY_UPGRADE = {"t": VOIP_ROOM_TYPE, "open": {"$exists": False}, "closedAt": {"$exists": False}}

Document = dict[str, Any]
_SHOWN = 40  # characters of an unreadable version shown


@dataclass(frozen=True)
class RocketChatVersion:
    """The migration control document's facts; ``migration`` None when there is none, or when its
    version is no whole number (``unreadable`` then shows what it holds)."""

    migration: int | None
    locked: bool = False
    unreadable: str | None = None

    @property
    def line(self) -> str | None:
        if self.migration is None:
            return None
        return LINE_8X if self.migration >= FIRST_8X_MIGRATION else LINE_7X

    @property
    def serves_the_route(self) -> bool | None:
        """Whether that Rocket.Chat still answers GET /api/v1/voip/rooms itself."""
        return None if self.line is None else self.line == LINE_7X


def rocketchat_version(database: Database[Document]) -> RocketChatVersion:
    control = database.get_collection("migrations").find_one({"_id": "control"})
    if control is None:
        return RocketChatVersion(None)
    version, locked = control.get("version"), control.get("locked") is True
    # Stored data is whatever was written: a NaN, a string, a fraction is no migration number.
    if isinstance(version, int | float) and not isinstance(version, bool) and float(version).is_integer():
        return RocketChatVersion(int(version), locked)
    return RocketChatVersion(None, locked, unreadable=repr(version)[:_SHOWN])


def mongodb_version(database: Database[Document]) -> str | None:
    """The server's version from buildInfo; None when the database is embedded (no server to ask).
    A server that refuses the command raises OperationFailure."""
    try:
        info = database.command("buildInfo")
    except NotImplementedError:  # mongomock implements no buildInfo: there is no server
        return None
    return str(info.get("version", ""))


def supported_by_rocketchat(line: str | None, version: str) -> tuple[bool | None, str]:
    """Whether Rocket.Chat supports this MongoDB for that line (None: cannot tell), and its rule."""
    parsed = _major_minor(version)
    if parsed is None:
        return None, "not a MongoDB version number"
    if line is None:
        return None, "whether Rocket.Chat supports it depends on its line, which is unknown"
    if line == LINE_7X:
        rule = "Rocket.Chat 7.x supports MongoDB 5.0 to 7.0, its latest releases 8.0 too"
        return _7X_OLDEST <= parsed < (7, 1) or parsed == _8X_DOCUMENTED, rule
    if parsed < _8X_FLOOR:
        return False, "Rocket.Chat 8.x refuses to start below MongoDB 7.0"
    if parsed < _8X_DOCUMENTED:
        return True, "Rocket.Chat 8.0 and 8.1 run on it; 8.2 and later require MongoDB 8.0"
    return True, "Rocket.Chat 8.x documents MongoDB 8.0"


def _major_minor(version: str) -> tuple[int, int] | None:
    found = re.match(r"(\d+)\.(\d+)", version)
    return (int(found.group(1)), int(found.group(2))) if found else None


def closed_by_upgrade(database: Database[Document]) -> int:
    return int(database.get_collection("rocketchat_room").count_documents(CLOSED_BY_UPGRADE))
