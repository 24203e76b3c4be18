"""``voip-rooms doctor``: will the endpoint work on this database? A read-only pre-flight check.

It reads what the endpoint reads, with the endpoint's own rules: the permission documents (through
the data seam), the indexes (the same list ``voip-rooms indexes`` creates), the VoIP rooms (judged
against the answer schema), and the login tokens (the function's expiry rule).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pymongo.database import Database

from voip_rooms.auth import login_token_expired
from voip_rooms.indexes import ensure_indexes
from voip_rooms.permissions import ENDPOINT_PERMISSIONS, VIEW_ANY_ROOMS, VIEW_OWN_ROOMS
from voip_rooms.query import VOIP_ROOM_TYPE
from voip_rooms.store import RocketChatStore
from voip_rooms_local.room_shapes import ShapeSurvey

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
    checks = [
        *_permissions(RocketChatStore(database).roles_by_permission(ENDPOINT_PERMISSIONS)),
        _indexes(rooms),
        *_rooms(rooms, room_limit),
        _cursor_walks(rooms),
        _tokens(database.get_collection("users"), login_expiration, now),
    ]
    return Diagnosis(label, checks)


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


def _cursor_walks(rooms: Any) -> Check:
    """Whether a walk with ``next`` by the default order is exact here: MongoDB sorts an array by one
    of its elements, which no keyset condition can follow; missing and null are followed."""
    unfollowable = rooms.count_documents(
        {"t": VOIP_ROOM_TYPE, "$or": [{"ts": {"$type": "array"}}, {"ts": {"$type": "object"}}]}
    )
    if not unfollowable:
        message = "walks by ts (the default order) are exact; cursor pages read the same indexes"
        return Check("cursor walks", OK, message, {"unfollowable_ts": 0})
    return Check(
        "cursor walks",
        WARNING,
        f"{unfollowable} VoIP rooms hold an array or embedded document in ts: a walk by ts may repeat or "
        "skip them, and a next taken from one is refused",
        {"unfollowable_ts": unfollowable},
    )


def _tokens(users: Any, login_expiration: timedelta, now: datetime) -> Check:
    holders = tokens = refused = 0
    projection = {"services.resume.loginTokens.when": 1, "services.resume.loginTokens.type": 1}
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
    days = login_expiration.days
    details = {
        "users_with_tokens": holders,
        "tokens": tokens,
        "refused_as_expired": refused,
        "expiration_days": days,
    }
    message = (
        f"{holders} users hold {tokens} login tokens; {refused} are older than {days} days "
        "(LOGIN_EXPIRATION_DAYS) or undated, and are refused"
    )
    return Check("login tokens", OK if holders else WARNING, message, details)
