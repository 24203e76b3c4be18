"""A page of VoIP rooms in the shape of the public documentation's example (about 1.6 KB each).

No project imports: the warm benchmark runs it inside the function's own runtime and layer.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any


def documented_room(number: int) -> dict[str, Any]:
    """A VoIP room with every field of the public documentation's example, plus the call fields."""
    ts = datetime(2021, 7, 9, 20, 12, 19, 795000) + timedelta(minutes=7 * number)
    served, last = (
        ts + timedelta(seconds=430, milliseconds=627),
        ts + timedelta(seconds=518, milliseconds=960),
    )
    first_reply = ts + timedelta(seconds=453, milliseconds=448)
    room_id, visitor_id = f"kCJDd5peKiZnG{number:04d}", f"47Dajwh9Djpn{number:05d}"
    return {
        "_id": room_id,
        "fname": "Mary",
        "t": "v",
        "name": f"Mary-17000{number:05d}.42",
        "v": {
            "_id": visitor_id,
            "username": f"guest-{number}",
            "token": "8s7e9ony6ctl27e1qf8kue",
            "status": "offline",
            "lastMessageTs": last,
            "phone": [{"phoneNumber": "+1 555 0100"}],
        },
        "departmentId": "CAJioQNAvLnYWTy8i",
        "default": False,
        "ro": False,
        "sysMes": True,
        "open": True,
        "msgs": 7,
        "ts": ts,
        "_updatedAt": last + timedelta(seconds=8),
        "lm": last,
        "customFields": {"salesforceCrmContactId": "0032y000009mtOIAAY"},
        "usersCount": 2,
        "cl": False,
        "departmentAncestors": ["sriw2wmP2Zz2pPrre"],
        "lastMessage": {
            "_id": f"SgrsSm3HNGrG{number:05d}",
            "rid": room_id,
            "msg": "d",
            "token": "8s7e9ony6ctl27e1qf8kue",
            "alias": "Mary",
            "ts": last,
            "u": {"_id": visitor_id, "username": f"guest-{number}", "name": "Mary"},
            "_updatedAt": last + timedelta(milliseconds=141),
            "urls": [],
            "mentions": [],
            "channels": [],
            "md": [{"type": "PARAGRAPH", "value": [{"type": "PLAIN_TEXT", "value": "d"}]}],
            "newRoom": False,
            "showConnecting": True,
        },
        "metrics": {
            "reaction": {"fd": first_reply, "ft": 23.821, "tt": 24.006},
            "response": {"avg": 226.4365, "fd": first_reply, "ft": 452.688, "total": 2, "tt": 452.873},
            "v": {"lq": last},
            "servedBy": {"lr": first_reply - timedelta(milliseconds=166)},
        },
        "servedBy": {"_id": "XycfA5CetCPuEjqxw", "username": "faria.masood", "ts": served},
        "waitingResponse": True,
        "queue": "support",
        "direction": "inbound",
        "tags": ["vip", "callback"],
        "callStarted": served,
        "callWaitingTime": 430627,
        "source": {"type": "api", "alias": "voip"},
    }
