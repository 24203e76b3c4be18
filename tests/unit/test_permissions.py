from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from voip_rooms.auth import Caller
from voip_rooms.errors import Forbidden
from voip_rooms.permissions import PermissionCache, authorize

ROLES = {"view-livechat-rooms": frozenset({"admin"}), "view-l-room": frozenset({"admin", "livechat-agent"})}


class CountingLookup:
    def __init__(self) -> None:
        self.reads = 0

    def roles_by_permission(self, permission_ids: Sequence[str]) -> Mapping[str, frozenset[str]]:
        self.reads += 1
        return ROLES


def test_cache_reads_once_within_its_time_to_live_and_again_after() -> None:
    clock = [100.0]
    cache, lookup = PermissionCache(60, clock=lambda: clock[0]), CountingLookup()
    cache.roles(lookup)
    clock[0] += 59
    cache.roles(lookup)
    assert lookup.reads == 1
    clock[0] += 1
    cache.roles(lookup)
    assert lookup.reads == 2


def test_time_to_live_zero_reads_every_time() -> None:
    cache, lookup = PermissionCache(0), CountingLookup()
    cache.roles(lookup)
    cache.roles(lookup)
    assert lookup.reads == 2


def test_agent_may_list_only_exactly_their_own_id() -> None:
    agent = Caller("a1", frozenset({"livechat-agent"}))
    authorize(agent, ["a1"], ROLES)
    for agents in (None, [], ["a2"], ["a1", "a1"], ["a1", "a2"]):
        with pytest.raises(Forbidden):
            authorize(agent, agents, ROLES)


def test_admin_may_list_anything() -> None:
    authorize(Caller("x", frozenset({"admin"})), None, ROLES)
