"""The Calls page's browser tests serve the demo dataset and four documents more, which the demo keeps out
(its counts are quoted by the README and the tests): a caller named as markup, a caller named as a spreadsheet
formula, a caller whose name and tag hold a right-to-left override, and a manager whose login token expired
long ago.

`python tests/e2e/dataset.py DIR`, with the project's Python (.venv), writes them as mongoexport files that
`voip-rooms serve --data DIR` loads. The browser tests import the names below without the project installed.
"""

from __future__ import annotations

import copy
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

MARKUP_ROOM_ID = "e2e-markup-room"
MARKUP_NAME = "<img src=x onerror=alert(1)>"
FORMULA_ROOM_ID = "e2e-formula-room"
FORMULA_NAME = '=HYPERLINK("http://example.invalid","open")'
BIDI_ROOM_ID = "e2e-bidi-room"
# Shown as "Evilexe.cbA" unless the override is made visible; its first tag would reverse the tags after it.
BIDI_NAME = "Evil\u202eAbc.exe"
BIDI_TAGS = ["\u202egat", "zzz"]
EXPIRED_USER_ID, EXPIRED_TOKEN = "e2e-expired-manager", "e2e-expired-token"


def write(directory: Path) -> None:
    # The project's own code, with the project's Python: the browser tests' environment has only Playwright.
    from bson import json_util  # noqa: PLC0415

    from voip_rooms.auth import hash_login_token  # noqa: PLC0415
    from voip_rooms_local.demo import demo_dataset  # noqa: PLC0415

    dataset = demo_dataset()
    closed = next(room for room in dataset["rocketchat_room"] if room["t"] == "v" and "closedAt" in room)
    dataset["rocketchat_room"] += [
        _room(closed, MARKUP_ROOM_ID, MARKUP_NAME, tags=["<b>vip</b>"], day=21),
        _room(closed, FORMULA_ROOM_ID, FORMULA_NAME, tags=["@SUM(1+1)", "+1"], day=22),
        _room(closed, BIDI_ROOM_ID, BIDI_NAME, tags=BIDI_TAGS, day=23),
    ]
    dataset["users"].append(
        {
            "_id": EXPIRED_USER_ID,
            "username": "expired.manager",
            "active": True,
            "roles": ["livechat-manager", "user"],
            "services": {
                "resume": {
                    "loginTokens": [
                        {
                            "hashedToken": hash_login_token(EXPIRED_TOKEN),
                            "when": datetime.now(UTC) - timedelta(days=400),
                        }
                    ]
                }
            },
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    for collection, documents in dataset.items():
        (directory / f"{collection}.json").write_text(json_util.dumps(documents))


def _room(template: dict[str, Any], room_id: str, name: str, *, tags: list[str], day: int) -> dict[str, Any]:
    room = copy.deepcopy(template)
    created = datetime(2026, 11, day, 9, 30)
    room |= {
        "_id": room_id,
        "fname": name,
        "name": f"{name}-1700099999.{day}",
        "tags": tags,
        "ts": created,
        "callStarted": created + timedelta(seconds=20),
        "closedAt": created + timedelta(minutes=7),
    }
    room["v"]["username"] = name
    room["lastMessage"]["rid"] = room_id
    return room


if __name__ == "__main__":
    write(Path(sys.argv[1]))
