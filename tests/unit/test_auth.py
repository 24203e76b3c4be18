from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from voip_rooms.auth import Caller, authenticate, hash_login_token, integration_caller
from voip_rooms.errors import AuthenticationFailed

NOW = datetime(2026, 11, 27, tzinfo=UTC)
EXPIRY = timedelta(days=90)


class OneUser:
    def __init__(self, user: dict[str, Any] | None) -> None:
        self.user = user
        self.asked: list[tuple[str, str]] = []

    def find_user_by_token(self, user_id: str, hashed_token: str) -> dict[str, Any] | None:
        self.asked.append((user_id, hashed_token))
        return self.user


def test_token_hash_is_meteors_sha256_in_standard_base64() -> None:
    # Meteor's Accounts._hashLoginToken("test"), as stored by Rocket.Chat.
    assert hash_login_token("test") == "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="


def test_lookup_is_by_user_id_and_hashed_token_never_the_clear_token() -> None:
    users = OneUser(None)
    with pytest.raises(AuthenticationFailed):
        authenticate(users, "u1", "secret", login_expiration=EXPIRY, now=NOW)
    assert users.asked == [("u1", hash_login_token("secret"))]


def _user(**token: Any) -> dict[str, Any]:
    return {
        "_id": "u1",
        "username": "ana",
        "roles": ["admin", 7],
        "services": {"resume": {"loginTokens": [{"hashedToken": hash_login_token("secret"), **token}]}},
    }


def test_caller_carries_the_users_string_roles() -> None:
    caller = authenticate(
        OneUser(_user(when=NOW - timedelta(days=1))), "u1", "secret", login_expiration=EXPIRY, now=NOW
    )
    assert caller.user_id == "u1"
    assert caller.roles == frozenset({"admin"})


def test_naive_token_dates_are_read_as_utc() -> None:
    naive = (NOW - timedelta(days=90, seconds=1)).replace(tzinfo=None)
    with pytest.raises(AuthenticationFailed):
        authenticate(OneUser(_user(when=naive)), "u1", "secret", login_expiration=EXPIRY, now=NOW)


def test_resume_token_without_a_date_is_refused() -> None:
    with pytest.raises(AuthenticationFailed):
        authenticate(OneUser(_user()), "u1", "secret", login_expiration=EXPIRY, now=NOW)


@pytest.mark.parametrize(
    "username",
    [pytest.param(None, id="null"), pytest.param("", id="empty"), pytest.param(..., id="missing")],
)
def test_a_user_without_a_username_is_refused_as_rocket_chat_8_refuses_a_rest_caller(username: Any) -> None:
    user = _user(when=NOW - timedelta(days=1))
    if username is ...:
        del user["username"]
    else:
        user["username"] = username
    with pytest.raises(AuthenticationFailed):
        authenticate(OneUser(user), "u1", "secret", login_expiration=EXPIRY, now=NOW)


class UsersById:
    def __init__(self, users: dict[str, dict[str, Any]]) -> None:
        self.users = users
        self.asked: list[str] = []

    def find_user_by_id(self, user_id: str) -> dict[str, Any] | None:
        self.asked.append(user_id)
        return self.users.get(user_id)


def test_the_integration_user_is_the_caller_with_its_roles_read_from_its_document() -> None:
    users = UsersById({"bot": {"_id": "bot", "username": "voip.bot", "roles": ["livechat-monitor", 3]}})
    assert integration_caller(users, "bot") == Caller("bot", frozenset({"livechat-monitor"}))
    assert users.asked == ["bot"]


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {"_id": "bot", "username": "voip.bot", "active": False, "roles": ["admin"]},
        {"_id": "bot", "roles": ["admin"]},
        {"_id": "bot", "username": "", "roles": ["admin"]},
        {"_id": "bot", "username": None, "roles": ["admin"]},
    ],
    ids=["missing", "inactive", "no-username", "empty-username", "null-username"],
)
def test_an_integration_user_missing_inactive_or_without_a_username_is_refused(
    stored: dict[str, Any] | None,
) -> None:
    with pytest.raises(AuthenticationFailed):
        integration_caller(UsersById({"bot": stored} if stored else {}), "bot")
