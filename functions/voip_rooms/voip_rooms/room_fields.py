"""The fields of a stored room as callers see them: dotted paths, and the ones never returned.

Shared by the parameter rules (a sort may not order by a hidden field; ``fields`` paths may not
overlap) and by the query (projections leave hidden fields out).
"""

from __future__ import annotations

# Never returned, whatever "fields" asks for: Rocket.Chat hides the first four from its REST API;
# the visitor's token lets whoever holds it act as the visitor in Rocket.Chat's livechat API, and a
# message a visitor sent carries the same token (Rocket.Chat's typings: lastMessage.token).
HIDDEN_FIELDS = ("joinCode", "members", "importIds", "e2e", "v.token", "lastMessage.token")


def within(path: str, parent: str) -> bool:
    """Whether the dotted ``path`` is ``parent`` itself or a path below it."""
    return path == parent or path.startswith(parent + ".")


def is_hidden(path: str) -> bool:
    """Whether the path is a never-returned field or lies below one."""
    return any(within(path, hidden) for hidden in HIDDEN_FIELDS)


def orders_by_hidden(field: str) -> bool:
    """Whether ordering by this field would order by a never-returned value: the hidden field's own, or
    its parent's (an order on ``v`` compares ``v.token``, and a cursor would carry it)."""
    return is_hidden(field) or any(within(hidden, field) for hidden in HIDDEN_FIELDS)
