"""``voip-rooms doctor``: will the endpoint work on this database? A read-only pre-flight check.

It reads what the endpoint reads, with the endpoint's own rules: the permission documents (through
the data seam), the indexes (the same list ``voip-rooms indexes`` creates), the VoIP rooms (judged
against the answer schema), and the login tokens (the function's expiry rule). First it says which
Rocket.Chat line and MongoDB version the database shows (versions.py), and what the 8.0 upgrade did
to its open calls.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from voip_rooms.auth import has_username, login_token_expired
from voip_rooms.keyset import after_branches, listing_order, sort_values
from voip_rooms.permissions import ENDPOINT_PERMISSIONS, VIEW_ANY_ROOMS, VIEW_OWN_ROOMS
from voip_rooms.query import VOIP_ROOM_TYPE
from voip_rooms.store import RocketChatStore
from voip_rooms_local.indexes import ensure_indexes
from voip_rooms_local.room_shapes import ShapeSurvey
from voip_rooms_local.versions import (
    LINE_7X,
    LINE_8X,
    RocketChatVersion,
    closed_by_upgrade,
    mongodb_version,
    rocketchat_version,
    supported_by_rocketchat,
)
from voip_rooms_local.wording import counted

Document = dict[str, Any]
OK, WARNING, BROKEN = "ok", "warning", "broken"
_MARKS = {OK: "ok  ", WARNING: "warn", BROKEN: "FAIL"}
# What a caller meets when the permission document is missing (or grants no role).
_WITHOUT = {
    VIEW_ANY_ROOMS: "no one may list every room: managers, monitors and admins get 403",
    VIEW_OWN_ROOMS: "agents listing their own rooms get 403",
}
_WITHOUT_BOTH = "every caller gets 403"
_USER_BATCH = 500
_NAMED_USERS = 10  # users without a username named in the message, of all counted
# Each probe is one count of the rooms after a row: a scan on an embedded database.
_MAX_TYPE_CHANGES = 8


@dataclass
class Check:
    topic: str
    status: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Diagnosis:
    database: str
    checks: list[Check]

    @property
    def exit_status(self) -> int:
        return 1 if any(check.status == BROKEN for check in self.checks) else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "ok": self.exit_status == 0,
            "checks": [asdict(c) for c in self.checks],
        }

    def lines(self) -> Iterator[str]:
        yield f"voip-rooms doctor: {self.database}"
        for check in self.checks:
            yield f"  [{_MARKS[check.status]}] {check.topic}: {check.message}"
        yield (
            "  the endpoint will work on this database"
            if self.exit_status == 0
            else "  something here breaks the endpoint (FAIL above)"
        )


def diagnose(
    database: Database[Document], label: str, *, login_expiration: timedelta, now: datetime, room_limit: int
) -> Diagnosis:
    rooms = database.get_collection("rocketchat_room")
    rocketchat = rocketchat_version(database)
    checks = [
        _rocketchat(rocketchat),
        _mongodb(database, rocketchat.line),
        _closed_by_upgrade(database, rocketchat.line),
        *_permissions(RocketChatStore(database).roles_by_permission(ENDPOINT_PERMISSIONS)),
        _indexes(rooms),
        *_rooms(rooms, room_limit),
        _cursor_walks(rooms, room_limit),
        _tokens(database.get_collection("users"), login_expiration, now),
    ]
    return Diagnosis(label, checks)


def _rocketchat(version: RocketChatVersion) -> Check:
    details = {
        "migration": version.migration,
        "locked": version.locked,
        "line": version.line,
        "serves_route": version.serves_the_route,
    }
    if version.unreadable is not None:
        message = (
            f"the migration control document holds no readable version ({version.unreadable}): "
            "the version is unknown"
        )
        return Check("Rocket.Chat", WARNING, message, details)
    if version.migration is None:
        message = (
            'no migration control document (migrations, _id "control"): the version is unknown; '
            "export or dump the migrations collection with the others"
        )
        return Check("Rocket.Chat", WARNING, message, details)
    if version.line == LINE_8X:
        message = (
            f"{LINE_8X} (migration {version.migration}): 8.0 removed GET /api/v1/voip/rooms and the VoIP "
            "feature but kept the rooms; this endpoint is the way left to them"
        )
    else:
        message = (
            f"{LINE_7X} (migration {version.migration}): Rocket.Chat still serves GET /api/v1/voip/rooms "
            "itself; 7.x reached its end of life on 2026-09-30, and 8.0 removes the route"
        )
    if version.locked:
        message += "; a migration is running or stopped half-way (locked)"
    return Check("Rocket.Chat", WARNING if version.locked else OK, message, details)


def _mongodb(database: Database[Document], line: str | None) -> Check:
    try:
        version = mongodb_version(database)
    except OperationFailure as error:
        message = f"the server refused buildInfo ({error.code}): its version is unknown"
        return Check("MongoDB", WARNING, message, {"version": None, "supported_by_rocketchat": None})
    if version is None:
        message = (
            "the embedded database is no MongoDB server: an export or a dump does not say which version "
            "wrote it (run doctor with MONGODB_URI against that server)"
        )
        return Check("MongoDB", OK, message, {"version": None, "supported_by_rocketchat": None})
    supported, rule = supported_by_rocketchat(line, version)
    details = {"version": version, "supported_by_rocketchat": supported}
    return Check("MongoDB", WARNING if supported is False else OK, f"{version}: {rule}", details)


def _closed_by_upgrade(database: Database[Document], line: str | None) -> Check:
    """The VoIP rooms without open and without closedAt: what v326 left of the calls open at the upgrade."""
    closed = closed_by_upgrade(database)
    details = {"closed_by_upgrade": closed}
    topic = "closed by the 8.0 upgrade"
    meaning = (
        "listed with open=false and without open, never with open=true; no closedAt range matches "
        "them, and a sort by closedAt puts them first (ascending) or last (descending)"
    )
    if line == LINE_7X and not closed:
        return Check(
            topic, OK, "none yet: upgrading to 8.x closes every open call without a closedAt", details
        )
    if not closed:
        return Check(topic, OK, "no VoIP room lacks both open and closedAt", details)
    rooms = counted(closed, "VoIP room")
    if line == LINE_8X:
        were = "was" if closed == 1 else "were"
        message = f"{rooms} {were} closed by the upgrade (no open, no closedAt): {meaning}"
    else:
        have = "has" if closed == 1 else "have"
        message = f"{rooms} {have} neither open nor closedAt: {meaning}"
    return Check(topic, WARNING, message, details)


def _permissions(roles: Mapping[str, frozenset[str]]) -> list[Check]:
    granted = {permission: sorted(roles.get(permission, ())) for permission in ENDPOINT_PERMISSIONS}
    missing = [permission for permission, holders in granted.items() if not holders]
    checks = []
    for permission, holders in granted.items():
        if holders:
            checks.append(
                Check(f"permission {permission}", OK, f"granted to {', '.join(holders)}", {"roles": holders})
            )
            continue
        state = "missing" if permission not in roles else "grants no role"
        meaning = _WITHOUT_BOTH if len(missing) == len(ENDPOINT_PERMISSIONS) else _WITHOUT[permission]
        checks.append(Check(f"permission {permission}", BROKEN, f"{state}: {meaning}", {"roles": []}))
    return checks


def _indexes(rooms: Any) -> Check:
    actions = ensure_indexes(rooms, dry_run=True)
    missing = [action.index for action in actions if action.action == "create"]
    if not missing:
        return Check("indexes", OK, f"all {len(actions)} endpoint indexes exist", {"missing": []})
    names = [index.name for index in missing]
    return Check(
        "indexes",
        WARNING,
        f"{len(missing)} of {len(actions)} missing ({', '.join(names)}): those filters scan the collection; "
        "`voip-rooms indexes` creates them",
        {"missing": names},
    )


def _rooms(rooms: Any, room_limit: int) -> list[Check]:
    voip = {"t": VOIP_ROOM_TYPE}
    total = rooms.count_documents(voip)
    open_rooms = rooms.count_documents({**voip, "open": True})
    counts = {"voip_rooms": total, "open": open_rooms}
    listing = Check("VoIP rooms", OK if total else WARNING, f"{total} ({open_rooms} open)", counts)
    survey = ShapeSurvey()
    cursor = rooms.find(voip, limit=room_limit, batch_size=1000)
    for _ in survey.passing(cursor):
        pass
    checked = f"the first {survey.voip_rooms}" if survey.voip_rooms < total else f"all {total}"
    details = {"checked": survey.voip_rooms, "undescribed": survey.undescribed, "sample_paths": survey.paths}
    if survey.undescribed:
        shapes = Check("answer schema", WARNING, str(survey.summary()), details)
    else:
        shapes = Check("answer schema", OK, f"describes {checked} VoIP rooms", details)
    return [listing, shapes]


def _cursor_walks(rooms: Any, room_limit: int) -> Check:
    """Whether a walk with ``next`` by the default order is exact here: MongoDB sorts an array by one
    of its elements, which no keyset condition can follow; missing and null are followed. Then, at a
    few rows (the ends, and where the type of ``ts`` changes), the cursor's own condition must select
    exactly the rooms that the database sorts after that row: the proof that its filters and its sort
    agree (an embedded database that compared differently would repeat, skip or fail)."""
    unfollowable = rooms.count_documents(
        {"t": VOIP_ROOM_TYPE, "$or": [{"ts": {"$type": "array"}}, {"ts": {"$type": "object"}}]}
    )
    if unfollowable:
        return Check(
            "cursor walks",
            WARNING,
            f"{counted(unfollowable, 'VoIP room')} {'holds' if unfollowable == 1 else 'hold'} an array or "
            "embedded document in ts: a walk by ts may repeat or skip them, and a next taken from one is "
            "refused",
            {"unfollowable_ts": unfollowable},
        )
    order = listing_order(None)
    voip = {"t": VOIP_ROOM_TYPE}
    try:
        total = rooms.count_documents(voip)
        rows = list(rooms.find(voip, {"ts": 1}, sort=order, limit=room_limit, batch_size=1000))
        # Rooms after row k: the rest of the read when it was whole, else of the collection.
        sorted_rooms = len(rows) if len(rows) < room_limit else total
        wrong = [
            position
            for position in _probe_positions(rows)
            if _count_after(rooms, voip, order, rows[position]) != sorted_rooms - position - 1
        ]
    except (PyMongoError, NotImplementedError, TypeError) as error:
        message = f"a cursor page fails on this database ({type(error).__name__}: {str(error)[:120]})"
        return Check("cursor walks", BROKEN, message, {"unfollowable_ts": 0, "error": type(error).__name__})
    details = {"unfollowable_ts": 0, "probed_rows": len(_probe_positions(rows)), "disagreeing_rows": wrong}
    if wrong:
        message = (
            f"at {len(wrong)} rows the cursor's condition and the database's sort disagree: "
            "a walk by ts would repeat or skip rooms"
        )
        return Check("cursor walks", BROKEN, message, details)
    message = "walks by ts (the default order) are exact; cursor pages read the same indexes"
    return Check("cursor walks", OK, message, details)


def _count_after(rooms: Any, voip: Document, order: list[tuple[str, int]], row: Document) -> int:
    after = after_branches(order, sort_values(row, order))
    return int(rooms.count_documents({**voip, "$or": after}))


def _probe_positions(rows: list[Document]) -> list[int]:
    """The first and last row, and each row whose ts is of another type than the row before."""
    kinds = [type(row.get("ts")) for row in rows]
    changes = [position for position in range(1, len(rows)) if kinds[position] != kinds[position - 1]]
    return sorted({0, len(rows) - 1, *changes[:_MAX_TYPE_CHANGES]}) if rows else []


def _tokens(users: Any, login_expiration: timedelta, now: datetime) -> Check:
    holders = tokens = refused = 0
    nameless: list[str] = []  # users the endpoint refuses whatever their token (auth.has_username)
    projection = {
        "username": 1,
        "services.resume.loginTokens.when": 1,
        "services.resume.loginTokens.type": 1,
    }
    found = users.find(
        {"services.resume.loginTokens.0": {"$exists": True}}, projection, batch_size=_USER_BATCH
    )
    for user in found:
        held = [
            t
            for t in user.get("services", {}).get("resume", {}).get("loginTokens", [])
            if isinstance(t, dict)
        ]
        holders += 1
        tokens += len(held)
        refused += sum(1 for token in held if login_token_expired(token, login_expiration, now))
        if not has_username(user):
            nameless.append(str(user["_id"]))
    days = login_expiration.days
    details = {
        "users_with_tokens": holders,
        "tokens": tokens,
        "refused_as_expired": refused,
        "expiration_days": days,
        "users_without_username": len(nameless),
        "users_without_username_ids": nameless[:_NAMED_USERS],
    }
    message = (
        f"{holders} users hold {tokens} login tokens; {refused} are older than {days} days "
        "(LOGIN_EXPIRATION_DAYS) or undated, and are refused"
    )
    if nameless:
        named = ", ".join(nameless[:_NAMED_USERS]) + (", …" if len(nameless) > _NAMED_USERS else "")
        hold = "holds" if len(nameless) == 1 else "hold"
        message += (
            f"; {counted(len(nameless), 'user')} without a username {hold} login tokens ({named}): "
            "the endpoint refuses them (401), as Rocket.Chat 8.x does"
        )
    return Check("login tokens", OK if holders and not nameless else WARNING, message, details)
