"""The data seam: every MongoDB command the endpoint sends goes through RocketChatStore.

Tests and the local runner hand it another database (mongomock); driver failures that mean
"the database is not answering" become DatabaseUnavailable here, and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from pymongo.database import Database
from pymongo.errors import (
    ConfigurationError,
    ConnectionFailure,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
)
from pymongo.read_preferences import PrimaryPreferred, make_read_preference, read_pref_mode_from_name

from voip_rooms.errors import DatabaseCredentialsRejected, DatabaseUnavailable

Document = dict[str, Any]
# The connection string's credentials refused: MongoDB's AuthenticationFailed (18), Atlas's
# "bad auth" (8000, AtlasError), or Unauthorized (13) on a connection pooled before its user was
# dropped. Each may mean the secret was rotated since this container read it.
MONGODB_AUTHENTICATION_FAILED = 18
MONGODB_UNAUTHORIZED = 13
ATLAS_ERROR = 8000
# Only what authentication reads: a user may hold hundreds of tokens, each with device data.
_USER_PROJECTION = {
    "username": 1,
    "roles": 1,
    "active": 1,
    "services.resume.loginTokens.hashedToken": 1,
    "services.resume.loginTokens.when": 1,
    "services.resume.loginTokens.type": 1,
}

# What an integration event's user is checked by: no token fields (it has none to check).
_INTEGRATION_USER_PROJECTION = {"username": 1, "roles": 1, "active": 1}


@dataclass(slots=True)
class CommandStats:
    """The database's share of the current request: commands sent through the seam and their time.

    Timed here, around each call, rather than by pymongo's command monitoring: two clock reads per
    command, no listener on every driver event. The time includes what the driver spends
    before the command (server selection, connecting, a secret's first read), which the caller waits
    for all the same.
    """

    commands: int = 0
    seconds: float = 0.0

    def reset(self) -> None:
        self.commands, self.seconds = 0, 0.0


# One per container: a container serves one request at a time (the handler resets it per request).
command_stats = CommandStats()


class RocketChatStore:
    def __init__(self, database: Database[Document], listing_read_preference: str = "primary") -> None:
        # A token created a moment ago may not have reached a secondary yet: authentication
        # prefers the primary; the listing may be served by secondaries.
        self._users = database.get_collection("users", read_preference=PrimaryPreferred())
        listing = make_read_preference(read_pref_mode_from_name(listing_read_preference), None)
        self._rooms = database.get_collection("rocketchat_room", read_preference=listing)
        self._permissions = database.get_collection("rocketchat_permissions", read_preference=listing)

    def find_user_by_token(self, user_id: str, hashed_token: str) -> Document | None:
        with _unavailable_on_driver_faults():
            return self._users.find_one(
                {"_id": user_id, "services.resume.loginTokens.hashedToken": hashed_token},
                _USER_PROJECTION,
            )

    def find_user_by_id(self, user_id: str) -> Document | None:
        with _unavailable_on_driver_faults():
            return self._users.find_one({"_id": user_id}, _INTEGRATION_USER_PROJECTION)

    def roles_by_permission(self, permission_ids: Sequence[str]) -> Mapping[str, frozenset[str]]:
        with _unavailable_on_driver_faults():
            found = self._permissions.find({"_id": {"$in": list(permission_ids)}}, {"roles": 1})
            return {doc["_id"]: frozenset(doc.get("roles") or ()) for doc in found}

    def find_rooms(
        self,
        query: Document,
        sort: list[tuple[str, int]],
        skip: int,
        limit: int,
        projection: Mapping[str, int],
    ) -> list[Document]:
        with _unavailable_on_driver_faults():
            return list(self._rooms.find(query, projection, sort=sort, skip=skip, limit=limit))

    def stream_rooms(
        self,
        query: Document,
        sort: list[tuple[str, int]],
        limit: int,
        projection: Mapping[str, int],
        batch_size: int,
    ) -> Iterator[Document]:
        """The rooms of one long read, yielded as the driver fetches them batch by batch, so that only
        one batch is held at a time (``voip-rooms export``). Counted once, and its time includes the
        caller's between rows: the read stays open until the caller is done."""
        rows = self._rooms.find(query, projection, sort=sort, limit=limit, batch_size=batch_size)
        with _unavailable_on_driver_faults(), rows:
            yield from rows

    def count_rooms(self, query: Document) -> int:
        with _unavailable_on_driver_faults():
            return self._rooms.count_documents(query)


@contextmanager
def _unavailable_on_driver_faults() -> Iterator[None]:
    started = perf_counter()
    try:
        yield
    except (ConnectionFailure, ExecutionTimeout, ConfigurationError) as error:
        raise DatabaseUnavailable(type(error).__name__) from error
    except OperationFailure as error:
        if _credentials_refused(error):
            raise DatabaseCredentialsRejected(type(error).__name__) from error
        if error.timeout:
            raise DatabaseUnavailable(type(error).__name__) from error
        raise
    except PyMongoError as error:
        if error.timeout:
            raise DatabaseUnavailable(type(error).__name__) from error
        raise
    finally:
        command_stats.commands += 1
        command_stats.seconds += perf_counter() - started


def _credentials_refused(error: OperationFailure) -> bool:
    if error.code in (MONGODB_AUTHENTICATION_FAILED, MONGODB_UNAUTHORIZED):
        return True
    # Atlas answers other faults with 8000 too: only its "bad auth" is about the credentials.
    details = error.details or {}
    return error.code == ATLAS_ERROR and "bad auth" in str(details.get("errmsg"))
