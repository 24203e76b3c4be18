"""Rooms as old or odd data holds them, asked for with fields that reach into them."""

from __future__ import annotations

from tests.factories import ApiClient, room


def test_asking_for_the_visitor_of_a_room_whose_visitor_has_no_token_answers_it(api: ApiClient) -> None:
    api.add_rooms(room(_id="no-token", v={"_id": "visitor-9", "username": "guest-9"}))
    answer = api.get({"fields": '{"v": 1}'})
    assert (answer.status, answer.body["rooms"]) == (
        200,
        [{"_id": "no-token", "v": {"_id": "visitor-9", "username": "guest-9"}}],
    )


def test_asking_for_the_visitor_of_a_room_without_one_answers_the_room(api: ApiClient) -> None:
    plain = room(_id="no-visitor")
    del plain["v"]
    api.add_rooms(plain)
    answer = api.get({"fields": '{"v": 1}'})
    assert (answer.status, answer.body["rooms"]) == (200, [{"_id": "no-visitor"}])
