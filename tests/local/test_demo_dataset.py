from __future__ import annotations

import math
from collections import Counter

from bson import ObjectId

from voip_rooms_local.demo import DEMO_USERS, demo_dataset
from voip_rooms_local.room_shapes import ShapeSurvey


def test_demo_dataset_is_deterministic_apart_from_token_dates() -> None:
    assert demo_dataset()["rocketchat_room"] == demo_dataset()["rocketchat_room"]


def test_demo_dataset_has_a_realistic_call_center() -> None:
    rooms = [room for room in demo_dataset()["rocketchat_room"] if room["t"] == "v"]
    assert len(rooms) >= 300
    assert len({room["servedBy"]["_id"] for room in rooms if "servedBy" in room}) >= 5
    assert 0 < sum(1 for room in rooms if room.get("open")) < len(rooms)
    assert all("closedAt" in room for room in rooms if not room.get("open"))
    months = {(room["ts"].year, room["ts"].month) for room in rooms}
    assert len(months) >= 4
    assert len(Counter(room["queue"] for room in rooms)) >= 3
    assert {room["direction"] for room in rooms} == {"inbound", "outbound"}
    assert len({tag for room in rooms for tag in room["tags"]}) >= 4
    survey = ShapeSurvey()
    survey.add(rooms)
    assert survey.undescribed == 0, survey.summary()


def test_demo_dataset_holds_what_rocket_chat_versions_leave_behind() -> None:
    rooms = [room for room in demo_dataset()["rocketchat_room"] if room["t"] == "v"]
    assert all(isinstance(room["v"]["phone"], str) for room in rooms)
    assert sum(1 for room in rooms if math.isnan(room["callWaitingTime"])) >= 3
    assert sum(1 for room in rooms if room.get("open") is False) >= 3
    assert sum(1 for room in rooms if isinstance(room["_id"], ObjectId)) == 1
    assert sum(1 for room in rooms if "servedBy" not in room) == 1
    assert sum(1 for room in rooms if room.get("livechatData") == "") == 1


def test_demo_dataset_has_rooms_of_other_types_and_a_user_per_role() -> None:
    data = demo_dataset()
    assert {room["t"] for room in data["rocketchat_room"]} >= {"v", "l", "c", "p", "d"}
    roles = {role for user in DEMO_USERS for role in user.roles}
    assert roles >= {"admin", "livechat-manager", "livechat-agent", "user"}
    assert sum(1 for user in DEMO_USERS if "livechat-agent" in user.roles) >= 2
    assert {p["_id"] for p in data["rocketchat_permissions"]} >= {"view-livechat-rooms", "view-l-room"}
