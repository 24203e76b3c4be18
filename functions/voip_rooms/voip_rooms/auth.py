"""Authentication: Meteor's resume tokens and Rocket.Chat's personal access tokens."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol, TypeGuard

from voip_rooms.errors import AuthenticationFailed

PERSONAL_ACCESS_TOKEN = "personalAccessToken"  # noqa: S105 - a token type, not a secret


@dataclass(frozen=True, slots=True)
class Caller:
    user_id: str
    roles: frozenset[str]


class UserLookup(Protocol):
    def find_user_by_token(self, user_id: str, hashed_token: str) -> Mapping[str, Any] | None: ...


class UserById(Protocol):
    def find_user_by_id(self, user_id: str) -> Mapping[str, Any] | None: ...


def hash_login_token(token: str) -> str:
    """Meteor's Accounts._hashLoginToken: SHA-256 of the UTF-8 token, standard base64."""
    return base64.b64encode(hashlib.sha256(token.encode()).digest()).decode()


def authenticate(
    users: UserLookup,
    user_id: str,
    token: str,
    *,
    login_expiration: timedelta,
    now: datetime | None = None,
) -> Caller:
    hashed = hash_login_token(token)
    user = users.find_user_by_token(user_id, hashed)
    if not _may_call(user):
        raise AuthenticationFailed
    login_token = _matching_token(user, hashed)
    if login_token is None or login_token_expired(login_token, login_expiration, now or datetime.now(UTC)):
        raise AuthenticationFailed
    return _caller(user_id, user)


def _may_call(user: Mapping[str, Any] | None) -> TypeGuard[Mapping[str, Any]]:
    """A user that exists, is not deactivated, and has a username: whoever calls, by token or as the
    integration user."""
    return user is not None and user.get("active") is not False and has_username(user)


def has_username(user: Mapping[str, Any]) -> bool:
    """Rocket.Chat 8.x serves a REST caller only when the user has a username; a user created without
    one (or left with an empty one) is refused, as there."""
    return user.get("username") not in (None, "")


def _matching_token(user: Mapping[str, Any], hashed: str) -> Mapping[str, Any] | None:
    tokens = user.get("services", {}).get("resume", {}).get("loginTokens", [])
    return next((t for t in tokens if isinstance(t, Mapping) and t.get("hashedToken") == hashed), None)


def login_token_expired(login_token: Mapping[str, Any], login_expiration: timedelta, now: datetime) -> bool:
    if login_token.get("type") == PERSONAL_ACCESS_TOKEN:
        return False
    issued = login_token.get("when")
    if not isinstance(issued, datetime):
        # A resume token without a date cannot be shown to be fresh.
        return True
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=UTC)
    return now - issued > login_expiration


def integration_caller(users: UserById, user_id: str) -> Caller:
    """The configured integration user as the caller of an integration event. No token: AWS IAM has
    authenticated whoever invoked the function. The user must exist, be active and have a username
    (as any REST caller on Rocket.Chat 8.x); its roles are read afresh on every invocation, so that
    deactivating it or removing a role in Rocket.Chat takes effect at once."""
    user = users.find_user_by_id(user_id)
    if not _may_call(user):
        raise AuthenticationFailed
    return _caller(user_id, user)


def _caller(user_id: str, user: Mapping[str, Any]) -> Caller:
    roles = user.get("roles")
    return Caller(user_id=user_id, roles=frozenset(r for r in roles or () if isinstance(r, str)))
