"""A deterministic, realistic call-center dataset for the local runner and the tests.

320 VoIP rooms served by 6 agents from June to November 2026, across four queues, both
directions and a set of tags; a few rooms of other types that the endpoint must never list;
one user per role with a known token, and a user for integration events; Rocket.Chat's default
permissions for the omnichannel roles.
Stored as Rocket.Chat stores them, including what older versions left behind: a few NaN waiting
times, some closed rooms still holding ``open: false``, one imported room with an ObjectId ``_id``,
one call that no agent served, one room with ``livechatData: ''``.
"""

from __future__ import annotations

import math
import random
import string
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from voip_rooms.auth import PERSONAL_ACCESS_TOKEN, hash_login_token

Document = dict[str, Any]
# How the commands name it (never to be mistaken for a Rocket.Chat's database).
DEMO_DATABASE = "the embedded demo database"
ROOM_COUNT = 320
OPEN_ROOM_COUNT = 24
IMPORTED_ROOM_ID = "665b2f80e4b0a51c3d9f0a7e"
FIRST_CALL = datetime(2026, 6, 1, 8, 0)
LAST_CALL = datetime(2026, 11, 20, 18, 0)
QUEUES = ("sales", "support", "billing", "emergency")
TAGS = ("vip", "callback", "complaint", "refund", "new-customer", "follow-up")
DEPARTMENTS = ("CAJioQNAvLnYWTy8i", "sriw2wmP2Zz2pPrre")
VISITOR_NAMES = (
    "Mary Jones",
    "Ahmed Khan",
    "Lucía García",
    "Chen Wei",
    "Olga Petrova",
    "John Smith",
    "Fatima Zahra",
    "Kenji Sato",
    "Amara Okafor",
    "Pierre Martin",
    "Ana Souza",
    "Ravi Patel",
)


@dataclass(frozen=True)
class DemoUser:
    user_id: str
    username: str
    roles: tuple[str, ...]
    token: str
    token_type: str = "login"  # noqa: S105 - a token type, not a secret


DEMO_USERS = (
    DemoUser("demo-admin", "admin.demo", ("admin", "user"), "demo-admin-token"),
    DemoUser("demo-manager", "maria.manager", ("livechat-manager", "user"), "demo-manager-token"),
    DemoUser("demo-agent-1", "faria.masood", ("livechat-agent", "user"), "demo-agent-1-token"),
    DemoUser("demo-agent-2", "joao.agent", ("livechat-agent", "user"), "demo-agent-2-token"),
    DemoUser("demo-user", "plain.user", ("user",), "demo-user-token"),
    DemoUser("demo-bot", "report.bot", ("livechat-manager",), "demo-bot-pat", PERSONAL_ACCESS_TOKEN),
)
# Agents without tokens of their own: they serve calls but never call the API in the demo.
OTHER_AGENTS = (
    ("demo-agent-3", "li.agent"),
    ("demo-agent-4", "sam.agent"),
    ("demo-agent-5", "noor.agent"),
    ("demo-agent-6", "ivan.agent"),
)
# The user integration events act as (INTEGRATION_USER_ID=demo-integration): its livechat-monitor role
# may list every VoIP room. It never logs in, so it holds no token.
INTEGRATION_USER_ID = "demo-integration"

# Rocket.Chat's defaults (apps/meteor/app/authorization/server/constant/permissions.ts), omnichannel part.
DEFAULT_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "view-l-room": ("livechat-manager", "livechat-monitor", "livechat-agent", "admin"),
    "view-livechat-rooms": ("livechat-manager", "livechat-monitor", "admin"),
    "view-livechat-manager": ("livechat-manager", "livechat-monitor", "admin"),
    "view-omnichannel-contact-center": ("livechat-manager", "livechat-agent", "livechat-monitor", "admin"),
    "close-livechat-room": ("livechat-manager", "livechat-monitor", "livechat-agent", "admin"),
    "close-others-livechat-room": ("livechat-manager", "livechat-monitor", "admin"),
    "view-livechat-queue": ("livechat-manager", "livechat-monitor", "livechat-agent", "admin"),
    "view-livechat-analytics": ("livechat-manager", "livechat-monitor", "admin"),
    "inbound-voip-calls": ("livechat-agent",),
    "manage-voip-call-settings": ("livechat-manager", "admin"),
    "manage-voip-contact-center-settings": ("livechat-manager", "admin"),
    "view-agent-extension-association": ("livechat-manager", "admin", "livechat-agent"),
}


def demo_dataset(now: datetime | None = None) -> dict[str, list[Document]]:
    """The collections; login tokens are dated ``now`` so that the demo users never expire."""
    issued = (now or datetime.now(UTC)).replace(tzinfo=None)
    rng = random.Random(20261127)  # noqa: S311 - reproducible demo data, not secrets
    agents = [(user.user_id, user.username) for user in DEMO_USERS if "livechat-agent" in user.roles]
    agents += list(OTHER_AGENTS)
    rooms = [_voip_room(rng, number, agents) for number in range(ROOM_COUNT)]
    _as_versions_left_them(rooms)
    return {
        "users": [_user(user, issued) for user in DEMO_USERS]
        + [_agent(*agent) for agent in OTHER_AGENTS]
        + [_integration_user()],
        "rocketchat_room": rooms + _rooms_of_other_types(),
        "rocketchat_permissions": [
            {"_id": permission, "roles": list(roles), "_updatedAt": FIRST_CALL}
            for permission, roles in DEFAULT_PERMISSIONS.items()
        ],
    }


def _user(user: DemoUser, issued: datetime) -> Document:
    token: Document = {"hashedToken": hash_login_token(user.token)}
    if user.token_type == PERSONAL_ACCESS_TOKEN:
        token |= {
            "type": PERSONAL_ACCESS_TOKEN,
            "createdAt": FIRST_CALL,
            "lastTokenPart": user.token[-6:],
            "name": "reporting",
            "bypassTwoFactor": True,
        }
    else:
        token["when"] = issued
    return {
        "_id": user.user_id,
        "username": user.username,
        "name": user.username.replace(".", " ").title(),
        "type": "bot" if user.token_type == PERSONAL_ACCESS_TOKEN else "user",
        "active": True,
        "roles": list(user.roles),
        "status": "online",
        "createdAt": FIRST_CALL,
        "services": {"resume": {"loginTokens": [token]}},
    }


def _agent(user_id: str, username: str) -> Document:
    return {
        "_id": user_id,
        "username": username,
        "type": "user",
        "active": True,
        "roles": ["livechat-agent", "user"],
        "createdAt": FIRST_CALL,
        "services": {"resume": {"loginTokens": []}},
    }


def _integration_user() -> Document:
    return {
        "_id": INTEGRATION_USER_ID,
        "username": "voip.integration",
        "name": "VoIP Integration",
        "type": "user",
        "active": True,
        "roles": ["livechat-monitor"],
        "createdAt": FIRST_CALL,
    }


def _meteor_id(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(17))


def _voip_room(rng: random.Random, number: int, agents: list[tuple[str, str]]) -> Document:
    # Rooms are numbered oldest first; the newest OPEN_ROOM_COUNT calls are still open.
    span = (LAST_CALL - FIRST_CALL).total_seconds()
    created = FIRST_CALL + timedelta(
        seconds=int(span * number / ROOM_COUNT) + rng.randint(0, 3600), milliseconds=rng.randint(0, 999)
    )
    is_open = number >= ROOM_COUNT - OPEN_ROOM_COUNT
    agent_id, agent_name = agents[rng.randrange(len(agents))]
    visitor = rng.choice(VISITOR_NAMES)
    guest = f"guest-{rng.randint(100, 999)}"
    call_id = f"{1_700_000_000 + number * 37}.{rng.randint(10, 99)}"
    waiting_ms = rng.randint(2_000, 180_000)
    started = created + timedelta(milliseconds=waiting_ms)
    duration_ms = rng.randint(30_000, 1_800_000)
    room_id = _meteor_id(rng)
    phone = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    room: Document = {
        "_id": room_id,
        "t": "v",
        "name": f"{visitor}-{call_id}",
        "fname": visitor,
        "ts": created,
        "_updatedAt": started + timedelta(milliseconds=duration_ms),
        "v": {
            "_id": f"visitor-{guest}",
            "username": guest,
            "token": _meteor_id(rng).lower(),
            "status": "online" if is_open else "offline",
            "phone": phone,
        },
        "servedBy": {"_id": agent_id, "username": agent_name, "ts": started},
        "callStarted": started,
        "callWaitingTime": waiting_ms,
        "queue": rng.choice(QUEUES),
        "direction": "inbound" if rng.random() < 0.7 else "outbound",
        "tags": sorted(rng.sample(TAGS, rng.randint(0, 2))),
        "departmentId": rng.choice(DEPARTMENTS),
        "msgs": rng.randint(0, 12),
        "usersCount": 2,
        "cl": False,
        "ro": False,
        "sysMes": True,
        "default": False,
        "waitingResponse": False,
        "source": {"type": "api", "alias": "voip"},
        "u": {"_id": agent_id, "username": agent_name},
        "lm": started,
        "metrics": {
            "v": {"lq": started},
            "servedBy": {"lr": started},
            "response": {"avg": round(rng.uniform(5, 300), 4), "total": rng.randint(1, 5)},
        },
        "lastMessage": {
            "_id": _meteor_id(rng),
            "rid": room_id,
            "msg": "Call started",
            "t": "voip-call-started",
            "ts": started,
            "u": {"_id": agent_id, "username": agent_name},
            "_updatedAt": started,
            "urls": [],
            "mentions": [],
            "channels": [],
        },
    }
    if is_open:
        room["open"] = True
    else:
        closed = started + timedelta(milliseconds=duration_ms)
        closer = rng.choice(("user", "visitor"))
        room |= {
            "closedAt": closed,
            "callDuration": duration_ms,
            "callTotalHoldTime": rng.randint(0, 120),
            "closer": closer,
            "closedBy": {"_id": agent_id, "username": agent_name}
            if closer == "user"
            else {"_id": f"visitor-{guest}", "username": guest},
        }
    return room


def _as_versions_left_them(rooms: list[Document]) -> None:
    """Shapes a database written by several Rocket.Chat versions holds, on a few closed rooms."""
    closed = [room for room in rooms if not room.get("open")]
    for room in closed[5::53]:
        # Number(undefined) * 1000: the PBX's connect event was missing when the call was closed.
        room["callWaitingTime"] = math.nan
    for room in closed[3::29]:
        room["open"] = False  # closing used to set false rather than remove the field
    imported = closed[7]
    imported["_id"] = imported["lastMessage"]["rid"] = ObjectId(IMPORTED_ROOM_ID)
    unserved = next(room for room in closed if room["servedBy"]["_id"] in dict(OTHER_AGENTS))
    del unserved["servedBy"]  # hung up in the queue, before an agent took it
    closed[13] |= {"livechatData": "", "responseBy": ""}  # what the VoIP service writes on creation


def _rooms_of_other_types() -> list[Document]:
    created = datetime(2026, 11, 21, 9, 0)
    base = {"ts": created, "_updatedAt": created, "msgs": 3, "usersCount": 2}
    return [
        {
            **base,
            "_id": "livechat-room-1",
            "t": "l",
            "name": "Mary Jones",
            "fname": "Mary Jones",
            "open": True,
            "servedBy": {"_id": "demo-agent-1", "username": "faria.masood", "ts": created},
            "queue": "sales",
            "v": {"_id": "visitor-guest-165", "username": "guest-165", "token": "8s7e9ony6ctl27e1qf8kue"},
        },
        {
            **base,
            "_id": "livechat-room-2",
            "t": "l",
            "name": "Chen Wei",
            "fname": "Chen Wei",
            "servedBy": {"_id": "demo-agent-2", "username": "joao.agent", "ts": created},
            "closedAt": created,
        },
        {**base, "_id": "GENERAL", "t": "c", "name": "general", "fname": "general", "open": True},
        {**base, "_id": "team-support", "t": "p", "name": "support-team", "fname": "support-team"},
        {**base, "_id": "demo-agent-1demo-agent-2", "t": "d", "usernames": ["faria.masood", "joao.agent"]},
    ]
