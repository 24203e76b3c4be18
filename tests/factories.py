"""Builders for Rocket.Chat documents and a small client around lambda_handler."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from urllib.parse import urlencode

import mongomock
import pytest

from voip_rooms import integration
from voip_rooms.auth import PERSONAL_ACCESS_TOKEN, hash_login_token
from voip_rooms.handler import lambda_handler
from voip_rooms.settings import SETTINGS
from voip_rooms_local.demo import DEFAULT_PERMISSIONS, INTEGRATION_USER_ID
from voip_rooms_local.events import LocalLambdaContext, rest_event

Document = dict[str, Any]
ROOMS_PATH = "/api/v1/voip/rooms"
_room_numbers = count(1)


@dataclass(frozen=True)
class TestUser:
    __test__ = False  # not a pytest test class
    user_id: str
    roles: tuple[str, ...]
    token: str = field(default="")
    active: bool = True
    token_age: timedelta = timedelta(hours=1)
    token_type: str = "login"

    @property
    def credentials(self) -> dict[str, str]:
        return {"X-User-Id": self.user_id, "X-Auth-Token": self.token or f"{self.user_id}-token"}

    def document(self) -> Document:
        token_value = self.token or f"{self.user_id}-token"
        token: Document = {"hashedToken": hash_login_token(token_value)}
        issued = (datetime.now(UTC) - self.token_age).replace(tzinfo=None)
        if self.token_type == PERSONAL_ACCESS_TOKEN:
            token |= {"type": PERSONAL_ACCESS_TOKEN, "createdAt": issued, "name": "ci"}
        else:
            token["when"] = issued
        other_device = {"hashedToken": hash_login_token(f"{token_value}-other-device"), "when": issued}
        return {
            "_id": self.user_id,
            "username": self.user_id,
            "roles": list(self.roles),
            "active": self.active,
            "services": {"resume": {"loginTokens": [other_device, token]}},
        }


ADMIN = TestUser("admin-1", ("admin", "user"))
MANAGER = TestUser("manager-1", ("livechat-manager", "user"))
AGENT = TestUser("agent-1", ("livechat-agent", "user"))
OTHER_AGENT = TestUser("agent-2", ("livechat-agent", "user"))
PLAIN_USER = TestUser("user-1", ("user",))
# The local runner's demo dataset logs its admin in with this token.
DEMO_ADMIN = TestUser("demo-admin", ("admin",), token="demo-admin-token")


def default_permissions() -> list[Document]:
    return [{"_id": name, "roles": list(roles)} for name, roles in DEFAULT_PERMISSIONS.items()]


def room(**fields: Any) -> Document:
    """A VoIP room as Rocket.Chat stores it; keyword arguments override or add fields."""
    number = next(_room_numbers)
    created = fields.pop("ts", datetime(2026, 7, 1, 12, 0) + timedelta(minutes=number))
    document: Document = {
        "_id": f"room-{number:04d}",
        "t": "v",
        "name": f"Visitor {number}-{1700000000 + number}.1",
        "fname": f"Visitor {number}",
        "ts": created,
        "_updatedAt": created,
        "v": {
            "_id": f"visitor-{number}",
            "username": f"guest-{number}",
            "token": f"vtoken{number}",
            "status": "online",
        },
        "servedBy": {"_id": AGENT.user_id, "username": AGENT.user_id, "ts": created},
        "queue": "support",
        "direction": "inbound",
        "tags": [],
        "msgs": 1,
        "usersCount": 2,
    }
    return document | fields


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    raw: dict[str, Any]

    @property
    def room_ids(self) -> list[str]:
        return [r["_id"] for r in self.body["rooms"]]


class ApiClient:
    def __init__(self, db: Any) -> None:
        self.db = db

    def add_user(self, user: TestUser) -> TestUser:
        self.db.users.insert_one(user.document())
        return user

    def add_rooms(self, *rooms: Document) -> list[Document]:
        self.db.rocketchat_room.insert_many([dict(r) for r in rooms])
        return list(rooms)

    def get(
        self,
        query: str | dict[str, Any] = "",
        *,
        user: TestUser | None = ADMIN,
        headers: dict[str, str] | None = None,
        body: Any = None,
        method: str = "GET",
        path: str = ROOMS_PATH,
    ) -> Answer:
        query_string = urlencode(query, doseq=True) if isinstance(query, dict) else query
        all_headers = {**(user.credentials if user else {}), **(headers or {})}
        raw_body = body if body is None or isinstance(body, str) else json.dumps(body)
        return self.send(
            rest_event(method, path, headers=all_headers, query_string=query_string, body=raw_body)
        )

    def send(self, event: dict[str, Any]) -> Answer:
        result = lambda_handler(event, LocalLambdaContext())
        headers = {k.lower(): str(v) for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers.setdefault(name.lower(), ",".join(str(v) for v in values))
        return Answer(result["statusCode"], headers, json.loads(result["body"]), result)


def database_fails_on(monkeypatch: pytest.MonkeyPatch, collection: str, fault: Exception) -> None:
    """Make the driver raise on reads of one collection, below the data seam's error translation."""
    original_find = mongomock.Collection.find

    def find(self: Any, *args: Any, **kwargs: Any) -> Any:
        if self.name == collection:
            raise fault
        return original_find(self, *args, **kwargs)

    monkeypatch.setattr(mongomock.Collection, "find", find)


def act_as_integration_user(monkeypatch: pytest.MonkeyPatch, user_id: str = INTEGRATION_USER_ID) -> None:
    """INTEGRATION_USER_ID as the function read it (by default the demo's integration user; "": unset)."""
    monkeypatch.setattr(integration, "SETTINGS", replace(SETTINGS, integration_user_id=user_id))
