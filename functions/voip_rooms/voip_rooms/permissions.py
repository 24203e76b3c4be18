"""Authorization from Rocket.Chat's own ``rocketchat_permissions``: nothing is hard-coded."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from voip_rooms.auth import Caller
from voip_rooms.errors import Forbidden

VIEW_ANY_ROOMS = "view-livechat-rooms"
VIEW_OWN_ROOMS = "view-l-room"
ENDPOINT_PERMISSIONS = (VIEW_ANY_ROOMS, VIEW_OWN_ROOMS)


class PermissionLookup(Protocol):
    def roles_by_permission(self, permission_ids: Sequence[str]) -> Mapping[str, frozenset[str]]: ...


class PermissionCache:
    """Per-container cache of the endpoint's permission → roles map.

    Permissions change rarely (an administrator edits them by hand), so one read per
    ``ttl_seconds`` saves a round trip on nearly every request; 0 reads them every time.
    """

    def __init__(self, ttl_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        # (when read, what was read): nothing until the first read.
        self._read: tuple[float, Mapping[str, frozenset[str]]] | None = None

    def roles(self, lookup: PermissionLookup) -> Mapping[str, frozenset[str]]:
        now = self._clock()
        # A time to live of 0 reads every time: the monotonic clock never goes back.
        if self._read is None or now - self._read[0] >= self._ttl:
            self._read = (now, lookup.roles_by_permission(ENDPOINT_PERMISSIONS))
        return self._read[1]


def authorize(
    caller: Caller, agents: Sequence[str] | None, roles_by_permission: Mapping[str, frozenset[str]]
) -> None:
    """Rocket.Chat's rule: any rooms with view-livechat-rooms, else only one's own with view-l-room."""

    def has(permission: str) -> bool:
        return not caller.roles.isdisjoint(roles_by_permission.get(permission, frozenset()))

    if has(VIEW_ANY_ROOMS):
        return
    if has(VIEW_OWN_ROOMS) and agents is not None and list(agents) == [caller.user_id]:
        return
    raise Forbidden
