"""Boundaries of authentication, the permission cache and the projection, what each may read, and the
data seam's long read of rooms."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import mongomock
import pytest
from pymongo.errors import ServerSelectionTimeoutError

from voip_rooms.auth import PERSONAL_ACCESS_TOKEN, Caller, authenticate, hash_login_token
from voip_rooms.errors import AuthenticationFailed, DatabaseUnavailable, Forbidden
from voip_rooms.params import parse_rooms_params
from voip_rooms.permissions import ENDPOINT_PERMISSIONS, PermissionCache, authorize
from voip_rooms.query import projection
from voip_rooms.room_fields import HIDDEN_FIELDS
from voip_rooms.store import RocketChatStore, command_stats

NOW = datetime(2026, 11, 27, tzinfo=UTC)
EXPIRY = timedelta(days=90)
HASHED = hash_login_token("secret")


class OneUser:
    def __init__(self, user: dict[str, Any] | None) -> None:
        self.user = user

    def find_user_by_token(self, user_id: str, hashed_token: str) -> dict[str, Any] | None:
        return self.user


def _user(*tokens: Any, **fields: Any) -> dict[str, Any]:
    return {
        "_id": "u1",
        "username": "ana",
        "roles": ["admin"],
        "services": {"resume": {"loginTokens": list(tokens)}},
        **fields,
    }


def _signs_in(user: dict[str, Any] | None) -> bool:
    try:
        authenticate(OneUser(user), "u1", "secret", login_expiration=EXPIRY, now=NOW)
    except AuthenticationFailed:
        return False
    return True


# --- authentication ---


def test_a_token_exactly_as_old_as_the_expiration_still_signs_in() -> None:
    assert _signs_in(_user({"hashedToken": HASHED, "when": NOW - EXPIRY}))


def test_a_token_a_moment_older_than_the_expiration_is_refused() -> None:
    assert not _signs_in(_user({"hashedToken": HASHED, "when": NOW - EXPIRY - timedelta(microseconds=1)}))


def test_a_personal_access_token_never_expires() -> None:
    old = {"hashedToken": HASHED, "type": PERSONAL_ACCESS_TOKEN, "createdAt": NOW - timedelta(days=9000)}
    assert _signs_in(_user(old))


def test_an_inactive_user_is_refused_and_a_user_without_the_flag_is_not() -> None:
    token = {"hashedToken": HASHED, "when": NOW}
    assert not _signs_in(_user(token, active=False))
    assert _signs_in(_user(token))


def test_a_one_character_username_signs_in_and_an_empty_one_does_not() -> None:
    token = {"hashedToken": HASHED, "when": NOW}
    assert _signs_in(_user(token, username="a"))
    assert not _signs_in(_user(token, username=""))


def test_only_the_token_with_the_matching_hash_counts() -> None:
    expired_match = {"hashedToken": HASHED, "when": NOW - EXPIRY * 2}
    fresh_other = {"hashedToken": hash_login_token("other"), "when": NOW}
    assert not _signs_in(_user("not a token", fresh_other, expired_match))
    assert _signs_in(_user("not a token", {"hashedToken": HASHED, "when": NOW}))


@pytest.mark.parametrize("services", [None, {}, {"resume": {}}])
def test_a_user_without_login_tokens_is_refused(services: dict[str, Any] | None) -> None:
    assert not _signs_in(None)
    user: dict[str, Any] = {"_id": "u1", "username": "ana"}
    assert not _signs_in(user if services is None else user | {"services": services})


def test_a_user_without_roles_has_none() -> None:
    tokens = {"resume": {"loginTokens": [{"hashedToken": HASHED, "when": NOW}]}}
    user = {"_id": "u1", "username": "ana", "services": tokens}
    caller = authenticate(OneUser(user), "u1", "secret", login_expiration=EXPIRY, now=NOW)
    assert caller.roles == frozenset()


def test_without_a_clock_given_now_is_the_current_time() -> None:
    fresh = {"hashedToken": HASHED, "when": datetime.now(UTC) - EXPIRY + timedelta(minutes=5)}
    assert authenticate(OneUser(_user(fresh)), "u1", "secret", login_expiration=EXPIRY).user_id == "u1"
    stale = {"hashedToken": HASHED, "when": datetime.now(UTC) - EXPIRY - timedelta(minutes=5)}
    with pytest.raises(AuthenticationFailed):
        authenticate(OneUser(_user(stale)), "u1", "secret", login_expiration=EXPIRY)


# --- the permission cache and the rule ---


class CountingLookup:
    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    def roles_by_permission(self, permission_ids: Sequence[str]) -> Mapping[str, frozenset[str]]:
        self.asked.append(tuple(permission_ids))
        return {"view-livechat-rooms": frozenset({"admin"})}


def test_the_first_read_happens_whatever_the_clock_says() -> None:
    lookup = CountingLookup()
    roles = PermissionCache(60, clock=lambda: 0.0).roles(lookup)
    assert roles == {"view-livechat-rooms": frozenset({"admin"})}
    assert lookup.asked == [ENDPOINT_PERMISSIONS]


def test_the_cache_reads_again_exactly_at_its_time_to_live() -> None:
    clock = [1000.0]
    cache, lookup = PermissionCache(60, clock=lambda: clock[0]), CountingLookup()
    cache.roles(lookup)
    clock[0] += 59.999
    cache.roles(lookup)
    assert len(lookup.asked) == 1
    clock[0] = 1060.0
    cache.roles(lookup)
    assert len(lookup.asked) == 2
    clock[0] = 1119.0
    cache.roles(lookup)
    assert len(lookup.asked) == 2, "the time to live counts from the last read"


def test_the_endpoint_asks_for_exactly_its_two_permissions() -> None:
    assert ENDPOINT_PERMISSIONS == ("view-livechat-rooms", "view-l-room")


def test_a_role_missing_from_the_permissions_grants_nothing() -> None:
    with pytest.raises(Forbidden):
        authorize(Caller("a1", frozenset({"livechat-agent"})), ["a1"], {})
    authorize(
        Caller("a1", frozenset({"livechat-agent"})), ["a1"], {"view-l-room": frozenset({"livechat-agent"})}
    )


# --- the projection and the hidden fields ---


def _projection(fields: str) -> dict[str, int]:
    return projection(parse_rooms_params({"fields": [fields]}, None).fields)


def test_asking_for_only_the_id_returns_only_the_id() -> None:
    assert _projection('{"_id": 1}') == {"_id": 1}


@pytest.mark.parametrize("hidden", HIDDEN_FIELDS)
def test_a_hidden_field_nested_two_levels_deep_is_never_included(hidden: str) -> None:
    assert _projection(f'{{"fname": 1, "{hidden}.a.b": 1}}') == {"fname": 1}
    assert _projection(f'{{"{hidden}.a.b": 1}}') == {"_id": 1}


@pytest.mark.parametrize("hidden", HIDDEN_FIELDS)
def test_excluding_a_nested_hidden_path_still_hides_the_whole_field(hidden: str) -> None:
    assert _projection(f'{{"{hidden}.a.b": 0, "msgs": 0}}') == {"msgs": 0, **dict.fromkeys(HIDDEN_FIELDS, 0)}


def test_a_field_that_only_starts_like_a_hidden_one_is_returned() -> None:
    assert _projection('{"membersCount": 1, "e2eKey": 1}') == {"membersCount": 1, "e2eKey": 1}


def test_the_hidden_fields_are_rocketchats_private_room_fields() -> None:
    assert sorted(HIDDEN_FIELDS) == [
        "e2e",
        "importIds",
        "joinCode",
        "lastMessage.token",
        "members",
        "v.token",
    ]


# --- what authentication may read of a user ---


def test_authentication_reads_only_username_roles_activity_and_each_tokens_hash_date_and_type() -> None:
    db: Any = mongomock.MongoClient().get_database("rocketchat")
    token = {"hashedToken": HASHED, "when": datetime(2026, 11, 1), "type": "login", "device": "phone"}
    db.users.insert_one(
        {
            "_id": "u1",
            "username": "ana",
            "roles": ["admin"],
            "active": True,
            "emails": [{"address": "ana@example.com"}],
            "services": {"password": {"bcrypt": "x"}, "resume": {"loginTokens": [token]}},
        }
    )
    found = RocketChatStore(db).find_user_by_token("u1", HASHED)
    assert found == {
        "_id": "u1",
        "username": "ana",
        "roles": ["admin"],
        "active": True,
        "services": {
            "resume": {
                "loginTokens": [{"hashedToken": HASHED, "when": datetime(2026, 11, 1), "type": "login"}]
            }
        },
    }
    assert RocketChatStore(db).find_user_by_token("u1", hash_login_token("other")) is None
    assert RocketChatStore(db).find_user_by_token("u2", HASHED) is None


class _RecordingPermissions:
    """A permissions collection that answers like MongoDB would and records what it was asked."""

    def __init__(self, documents: list[dict[str, Any]]) -> None:
        self.documents = documents
        self.asked: list[tuple[Any, Any]] = []

    def find(self, query: dict[str, Any], fields: dict[str, int]) -> list[dict[str, Any]]:
        self.asked.append((query, fields))
        wanted = query["_id"]["$in"]
        return [{"_id": d["_id"], "roles": d["roles"]} for d in self.documents if d["_id"] in wanted]


class _OneCollectionDatabase:
    def __init__(self, name: str, collection: Any) -> None:
        self.name, self.collection = name, collection

    def get_collection(self, name: str, read_preference: Any = None) -> Any:
        return self.collection if name == self.name else None


def test_the_permission_read_asks_for_the_given_permissions_and_only_their_roles() -> None:
    permissions = _RecordingPermissions(
        [
            {"_id": "view-livechat-rooms", "roles": ["admin"], "group": "livechat"},
            {"_id": "view-l-room", "roles": None},
            {"_id": "edit-room", "roles": ["owner"]},
        ]
    )
    store = RocketChatStore(_OneCollectionDatabase("rocketchat_permissions", permissions))  # type: ignore[arg-type]
    found = store.roles_by_permission(ENDPOINT_PERMISSIONS)
    assert found == {"view-livechat-rooms": frozenset({"admin"}), "view-l-room": frozenset()}
    assert permissions.asked == [({"_id": {"$in": list(ENDPOINT_PERMISSIONS)}}, {"roles": 1})]


# --- a long read of rooms (voip-rooms export) ---


class _StreamedRooms:
    """A rooms collection that records the find it was asked for and fails after some rows, if told."""

    def __init__(self, rows: list[dict[str, Any]], fail_after: int | None = None) -> None:
        self.rows, self.fail_after = rows, fail_after
        self.asked: list[tuple[Any, ...]] = []
        self.closed = False

    def find(self, query: Any, fields: Any, **options: Any) -> _StreamedRooms:
        self.asked.append((query, fields, options))
        return self

    def __enter__(self) -> _StreamedRooms:
        return self

    def __exit__(self, *exception: object) -> None:
        self.closed = True

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for number, row in enumerate(self.rows):
            if number == self.fail_after:
                raise ServerSelectionTimeoutError("db.internal:27017: timed out")
            yield row


def test_a_long_read_asks_for_the_page_in_batches_and_yields_each_row_as_it_comes() -> None:
    rooms = _StreamedRooms([{"_id": "a"}, {"_id": "b"}])
    store = RocketChatStore(_OneCollectionDatabase("rocketchat_room", rooms))  # type: ignore[arg-type]
    streamed = store.stream_rooms({"t": "v"}, [("ts", 1), ("_id", 1)], 10_000, {"joinCode": 0}, 1000)
    assert rooms.asked == [], "nothing is read before the first row is asked for"
    assert next(streamed) == {"_id": "a"}
    assert rooms.asked == [
        ({"t": "v"}, {"joinCode": 0}, {"sort": [("ts", 1), ("_id", 1)], "limit": 10_000, "batch_size": 1000})
    ]
    assert list(streamed) == [{"_id": "b"}]
    assert rooms.closed


def test_a_long_read_cut_off_mid_way_is_database_unavailable_and_counts_as_one_command() -> None:
    rooms = _StreamedRooms([{"_id": "a"}, {"_id": "b"}], fail_after=1)
    store = RocketChatStore(_OneCollectionDatabase("rocketchat_room", rooms))  # type: ignore[arg-type]
    command_stats.reset()
    streamed = store.stream_rooms({"t": "v"}, [("ts", 1)], 5, {}, 5)
    assert next(streamed) == {"_id": "a"}
    with pytest.raises(DatabaseUnavailable):
        next(streamed)
    assert rooms.closed
    assert command_stats.commands == 1
