"""Database commands per request, counted at the data seam (issue budget: 2 when the page tells the
total, 3 otherwise; Rocket.Chat's own route spends 5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.factories import DEMO_ADMIN, ApiClient, TestUser
from voip_rooms import listing
from voip_rooms.permissions import PermissionCache
from voip_rooms.store import RocketChatStore

SEAM = ("find_user_by_token", "roles_by_permission", "find_rooms", "count_rooms")
DEMO_AGENT = TestUser("demo-agent-1", ("livechat-agent",), token="demo-agent-1-token")


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every data-seam call, in order; each is one database command."""
    sent: list[str] = []

    def counting(name: str) -> Callable[..., Any]:
        original = getattr(RocketChatStore, name)

        def wrapper(self: RocketChatStore, *args: Any, **kwargs: Any) -> Any:
            sent.append(name)
            return original(self, *args, **kwargs)

        return wrapper

    for name in SEAM:
        monkeypatch.setattr(RocketChatStore, name, counting(name))
    return sent


def _warm(api: ApiClient, commands: list[str]) -> None:
    """One request that fills the permission cache, then a clean count."""
    assert api.get(user=DEMO_ADMIN).status == 200
    commands.clear()


def test_cold_container_reads_permissions_once(demo_api: ApiClient, commands: list[str]) -> None:
    demo_api.get({"open": "true"}, user=DEMO_ADMIN)
    demo_api.get({"open": "true"}, user=DEMO_ADMIN)
    assert commands.count("roles_by_permission") == 1


# count=20&offset=300: the last page, exactly full (320 rooms): the row read beyond it is missing.
@pytest.mark.parametrize(
    "query", ["open=true", "count=100&offset=300", "count=20&offset=300", "queue=nobody"]
)
def test_a_page_that_tells_the_total_costs_two_commands(
    demo_api: ApiClient, commands: list[str], query: str
) -> None:
    _warm(demo_api, commands)
    answer = demo_api.get(query, user=DEMO_ADMIN)
    assert answer.status == 200
    assert commands == ["find_user_by_token", "find_rooms"]
    assert answer.body["total"] == answer.body["offset"] + answer.body["count"]


@pytest.mark.parametrize("query", ["count=5", "", "offset=1000"])
def test_a_page_that_cannot_tell_the_total_costs_three(
    demo_api: ApiClient, commands: list[str], query: str
) -> None:
    _warm(demo_api, commands)
    answer = demo_api.get(query, user=DEMO_ADMIN)
    assert commands == ["find_user_by_token", "find_rooms", "count_rooms"]
    assert answer.body["total"] == 320


def test_every_page_of_a_cursor_walk_costs_two_commands_however_deep(
    demo_api: ApiClient, commands: list[str]
) -> None:
    _warm(demo_api, commands)
    answer = demo_api.get({"count": 7}, user=DEMO_ADMIN)
    pages = 0
    while answer.body["next"]:
        commands.clear()
        answer = demo_api.get({"count": 7, "after": answer.body["next"]}, user=DEMO_ADMIN)
        assert commands == ["find_user_by_token", "find_rooms"]
        pages += 1
    assert pages == 320 // 7


def test_agents_listing_their_rooms_stay_within_the_budget(demo_api: ApiClient, commands: list[str]) -> None:
    _warm(demo_api, commands)
    answer = demo_api.get({"agents": DEMO_AGENT.user_id, "count": 100}, user=DEMO_AGENT)
    assert answer.status == 200
    assert commands == ["find_user_by_token", "find_rooms"]


def test_permissions_are_read_again_after_their_time_to_live(
    demo_api: ApiClient, commands: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = [0.0]
    monkeypatch.setattr(listing, "permission_cache", PermissionCache(60, clock=lambda: clock[0]))
    demo_api.get("open=true", user=DEMO_ADMIN)
    clock[0] = 59
    demo_api.get("open=true", user=DEMO_ADMIN)
    clock[0] = 61
    demo_api.get("open=true", user=DEMO_ADMIN)
    assert commands.count("roles_by_permission") == 2


def test_a_zero_time_to_live_reads_permissions_on_every_request(
    demo_api: ApiClient, commands: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(listing, "permission_cache", PermissionCache(0))
    for _ in range(3):
        demo_api.get("open=true", user=DEMO_ADMIN)
    assert commands.count("roles_by_permission") == 3


def test_refused_requests_stop_sending_commands_where_they_are_refused(
    demo_api: ApiClient, commands: list[str]
) -> None:
    _warm(demo_api, commands)
    demo_api.get(user=None)
    assert commands == []
    demo_api.get("count=-1", user=DEMO_ADMIN)
    assert commands == ["find_user_by_token"]


def test_a_warm_container_builds_its_data_seam_once(
    demo_api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Part of the warm request's budget (docs/PERFORMANCE.md): the store is made per database.
    built: list[RocketChatStore] = []

    class CountedStore(RocketChatStore):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            built.append(self)

    monkeypatch.setattr(listing, "RocketChatStore", CountedStore)
    monkeypatch.setattr(listing, "_store_instance", None)  # a new container: the first request builds it
    for _ in range(3):
        assert demo_api.get({"open": "true"}, user=DEMO_ADMIN).status == 200
    assert len(built) == 1
