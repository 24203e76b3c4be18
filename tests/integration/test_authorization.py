"""§3 of the contract: permissions come from the database, and the order is 401 → 400 → 403."""

from __future__ import annotations

from tests.factories import AGENT, MANAGER, OTHER_AGENT, PLAIN_USER, ApiClient, room

FORBIDDEN = {"success": False, "error": "unauthorized"}


def _rooms_of_two_agents(api: ApiClient) -> tuple[str, str]:
    mine, theirs = api.add_rooms(
        room(servedBy={"_id": AGENT.user_id, "username": "a"}),
        room(servedBy={"_id": OTHER_AGENT.user_id, "username": "b"}),
    )
    return mine["_id"], theirs["_id"]


def test_admin_sees_every_agents_rooms(api: ApiClient) -> None:
    mine, theirs = _rooms_of_two_agents(api)
    assert set(api.get().room_ids) == {mine, theirs}


def test_livechat_manager_sees_every_agents_rooms(api: ApiClient) -> None:
    mine, theirs = _rooms_of_two_agents(api)
    api.add_user(MANAGER)
    assert set(api.get(user=MANAGER).room_ids) == {mine, theirs}


def test_agent_without_view_livechat_rooms_sees_only_own_rooms(api: ApiClient) -> None:
    mine, _ = _rooms_of_two_agents(api)
    api.add_user(AGENT)
    answer = api.get({"agents": AGENT.user_id}, user=AGENT)
    assert answer.status == 200
    assert answer.room_ids == [mine]


def test_agent_listing_without_the_agents_filter_is_forbidden(api: ApiClient) -> None:
    api.add_user(AGENT)
    answer = api.get(user=AGENT)
    assert answer.status == 403
    assert answer.body == FORBIDDEN


def test_agent_listing_another_agents_rooms_is_forbidden(api: ApiClient) -> None:
    api.add_user(AGENT)
    assert api.get({"agents": OTHER_AGENT.user_id}, user=AGENT).status == 403


def test_agent_listing_own_and_another_agents_rooms_is_forbidden(api: ApiClient) -> None:
    api.add_user(AGENT)
    assert api.get({"agents": [AGENT.user_id, OTHER_AGENT.user_id]}, user=AGENT).status == 403


def test_agent_may_name_themselves_in_the_json_body(api: ApiClient) -> None:
    mine, _ = _rooms_of_two_agents(api)
    api.add_user(AGENT)
    assert api.get(user=AGENT, body={"agents": [AGENT.user_id]}).room_ids == [mine]


def test_plain_user_is_forbidden_even_for_own_rooms(api: ApiClient) -> None:
    api.add_user(PLAIN_USER)
    answer = api.get({"agents": PLAIN_USER.user_id}, user=PLAIN_USER)
    assert answer.status == 403
    assert answer.body == FORBIDDEN


def test_bad_parameter_from_a_user_without_permission_is_a_400_not_a_403(api: ApiClient) -> None:
    api.add_user(PLAIN_USER)
    assert api.get("count=abc", user=PLAIN_USER).status == 400


def test_permissions_edited_in_the_database_decide_who_may_list(api: ApiClient) -> None:
    api.add_user(PLAIN_USER)
    api.db.rocketchat_permissions.update_one({"_id": "view-livechat-rooms"}, {"$push": {"roles": "user"}})
    assert api.get(user=PLAIN_USER).status == 200


def test_removing_a_role_from_view_l_room_takes_agents_access_away(api: ApiClient) -> None:
    api.add_user(AGENT)
    api.db.rocketchat_permissions.update_one({"_id": "view-l-room"}, {"$pull": {"roles": "livechat-agent"}})
    assert api.get({"agents": AGENT.user_id}, user=AGENT).status == 403


def test_missing_permission_documents_grant_nothing(api: ApiClient) -> None:
    api.db.rocketchat_permissions.delete_many({})
    assert api.get().status == 403
