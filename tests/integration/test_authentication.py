"""§2 of the contract: who is logged in, decided before anything else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.factories import ADMIN, ApiClient, TestUser, room
from voip_rooms import handler
from voip_rooms.auth import PERSONAL_ACCESS_TOKEN

NOT_LOGGED_IN = {
    "success": False,
    "status": "error",
    "message": "You must be logged in to do this.",
    "error": "You must be logged in to do this.",
}


def test_request_without_credentials_gets_the_documented_401(api: ApiClient) -> None:
    answer = api.get(user=None)
    assert answer.status == 401
    assert answer.body == NOT_LOGGED_IN


@pytest.mark.parametrize("missing", ["X-User-Id", "X-Auth-Token"])
def test_request_with_only_one_header_is_refused(api: ApiClient, missing: str) -> None:
    headers = {k: v for k, v in ADMIN.credentials.items() if k != missing}
    assert api.get(user=None, headers=headers).status == 401


def test_wrong_token_is_refused(api: ApiClient) -> None:
    answer = api.get(user=None, headers={"X-User-Id": ADMIN.user_id, "X-Auth-Token": "not-the-token"})
    assert answer.status == 401
    assert answer.body == NOT_LOGGED_IN


def test_token_of_another_user_is_refused(api: ApiClient) -> None:
    other = api.add_user(TestUser("other-admin", ("admin",)))
    headers = {"X-User-Id": ADMIN.user_id, "X-Auth-Token": other.credentials["X-Auth-Token"]}
    assert api.get(user=None, headers=headers).status == 401


@pytest.mark.parametrize("spelling", [str.lower, str.upper, lambda name: name])
def test_header_names_are_case_insensitive(api: ApiClient, spelling: object) -> None:
    headers = {spelling(name): value for name, value in ADMIN.credentials.items()}  # type: ignore[operator]
    assert api.get(user=None, headers=headers).status == 200


def test_any_of_the_users_login_tokens_is_accepted(api: ApiClient) -> None:
    headers = {"X-User-Id": ADMIN.user_id, "X-Auth-Token": f"{ADMIN.user_id}-token-other-device"}
    assert api.get(user=None, headers=headers).status == 200


def test_login_token_older_than_the_expiration_is_refused(api: ApiClient) -> None:
    stale = api.add_user(TestUser("stale-admin", ("admin",), token_age=timedelta(days=91)))
    assert api.get(user=stale).status == 401


def test_login_token_within_the_expiration_is_accepted(api: ApiClient) -> None:
    recent = api.add_user(TestUser("recent-admin", ("admin",), token_age=timedelta(days=89)))
    assert api.get(user=recent).status == 200


def test_login_expiration_is_configurable(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    user = api.add_user(TestUser("week-old", ("admin",), token_age=timedelta(days=8)))
    monkeypatch.setattr(handler, "login_expiration", timedelta(days=7))
    assert api.get(user=user).status == 401


def test_personal_access_tokens_do_not_expire(api: ApiClient) -> None:
    bot = api.add_user(
        TestUser("bot", ("admin",), token_age=timedelta(days=900), token_type=PERSONAL_ACCESS_TOKEN)
    )
    assert api.get(user=bot).status == 200


def test_inactive_user_is_refused_even_with_a_valid_token(api: ApiClient) -> None:
    gone = api.add_user(replace(ADMIN, user_id="deactivated", active=False))
    assert api.get(user=gone).status == 401


@pytest.mark.parametrize(
    "stored", [{}, {"username": None}, {"username": ""}], ids=["missing", "null", "empty"]
)
def test_user_without_a_username_is_refused_even_with_a_valid_token(
    api: ApiClient, stored: dict[str, object]
) -> None:
    nameless = replace(ADMIN, user_id="nameless")
    document = {key: value for key, value in nameless.document().items() if key != "username"}
    api.db.users.insert_one(document | stored)
    answer = api.get(user=nameless)
    assert answer.status == 401
    assert answer.body == NOT_LOGGED_IN


def test_bad_credentials_with_a_bad_filter_is_a_401_not_a_400(api: ApiClient) -> None:
    answer = api.get("count=-1&nonsense=1", user=None, headers={"X-User-Id": "x", "X-Auth-Token": "y"})
    assert answer.status == 401


def test_unauthenticated_request_never_reads_rooms(api: ApiClient) -> None:
    api.add_rooms(room())
    answer = api.get(user=None)
    assert "rooms" not in answer.body
