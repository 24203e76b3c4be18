"""Requests as Rocket.Chat's own web client sends them: its Calls directory (CallTable).

It asks for the caller's own closed calls: `sort` as `{ "<column>": 1 }` (with spaces), `open=false`,
`roomName=` (empty until the user types), `agents[]=<own id>`, `count`, and `offset` from the second
page on. Rocket.Chat's REST client serializes it with the query-string package (`arrayFormat:
'bracket'`, keys sorted, strict percent-encoding), reproduced by `query_string_stringify`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

# Every column the Calls directory sorts by (closedAt is its older versions' default order).
SORT_COLUMNS = ("fname", "phone", "queue", "ts", "callDuration", "direction", "closedAt")
PAGE_SIZE = 25


def query_string_stringify(params: dict[str, Any]) -> str:
    """query-string's stringify as Rocket.Chat's REST client calls it: bracket arrays, sorted keys, and
    encodeURIComponent plus !'()* (strict)."""
    parts: list[str] = []
    for key in sorted(params):
        value = params[key]
        if isinstance(value, list):
            parts.extend(f"{quote(key, safe='')}[]={quote(str(item), safe='')}" for item in value)
        else:
            parts.append(f"{quote(key, safe='')}={quote(str(value), safe='')}")
    return "&".join(parts)


def call_table_query(user_id: str, column: str, ascending: bool, text: str, page: int) -> str:
    """The query CallTable builds: its offset is sent only when not zero."""
    current = page * PAGE_SIZE
    params: dict[str, Any] = {
        "sort": f'{{ "{column}": {1 if ascending else -1} }}',
        "open": "false",
        "roomName": text or "",
        "agents": [user_id],
        "count": PAGE_SIZE,
    }
    if current:
        params["offset"] = current
    return query_string_stringify(params)
