"""The 7.x corpus as Rocket.Chat 8.x's migrations leave it: the 8.x corpus in ``rocketchat-8x/``.

Each function below is one migration's effect on the collections the corpus holds, written from the
migration's own query and update (Rocket.Chat's apps/meteor/server/startup/migrations). Settings and
roles are not in the corpus (the endpoint never reads them), so the migrations' deletions there are
left out. ``python -m tests.corpus.upgrade`` writes the corpus again, as mongoexport
(``export/<collection>.json``) and as mongodump (``dump/rocketchat/<collection>.bson``) write it; a
test keeps the committed files equal to what this module makes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from bson import json_util
from bson.json_util import CANONICAL_JSON_OPTIONS

from tests.corpus import CORPUS, UPGRADED, write_dump
from voip_rooms_local.datasets import read_collections

Document = dict[str, Any]
Collections = dict[str, list[Document]]
# The last migration the 8.x corpus has run (v338, the anonymous role's removal).
VERSION_8X = 338


def v325_remove_voip_permissions(data: Collections) -> None:
    """v325: the VoIP settings and the call center's permissions are deleted."""
    _delete_permissions(
        data,
        "manage-voip-call-settings",
        "manage-voip-contact-center-settings",
        "manage-agent-extension-association",
        "inbound-voip-calls",
        "spy-voip-calls",
        "outbound-voip-calls",
        "view-agent-extension-association",
    )


def v326_close_voip_rooms(data: Collections) -> None:
    """v326 ("Close Omnichannel VoIP Rooms"): ``updateMany({t: "v", open: {$exists: true}},
    {$unset: {open: 1}})``. Rooms open at the upgrade lose ``open`` and get no ``closedAt``,
    ``closer`` or ``closedBy``; old closed rooms that kept ``open: false`` lose it too."""
    for room in data["rocketchat_room"]:
        if room.get("t") == "v":
            room.pop("open", None)


def v327_to_v329_remove_freeswitch(data: Collections) -> None:
    """v327-v329: the FreeSwitch settings and the VoIP extension permissions are deleted."""
    _delete_permissions(
        data, "manage-voip-extensions", "view-user-voip-extension", "view-voip-extension-details"
    )


def v338_remove_anonymous_role(data: Collections) -> None:
    """v338: the anonymous role is removed; its users are deactivated and lose their login tokens
    (``$set: {active: false}, $unset: {"services.resume.loginTokens": 1}``), and every permission
    stops granting it (``$pull: {roles: "anonymous"}``)."""
    for user in data["users"]:
        if "anonymous" in (user.get("roles") or ()):
            user["active"] = False
            user.get("services", {}).get("resume", {}).pop("loginTokens", None)
    for permission in data["rocketchat_permissions"]:
        roles = permission.get("roles")
        if isinstance(roles, list) and "anonymous" in roles:
            permission["roles"] = [role for role in roles if role != "anonymous"]


MIGRATIONS_8X: tuple[Callable[[Collections], None], ...] = (
    v325_remove_voip_permissions,
    v326_close_voip_rooms,
    v327_to_v329_remove_freeswitch,
    v338_remove_anonymous_role,
)


def upgraded_to_8x(collections: Mapping[str, Sequence[Document]]) -> Collections:
    """A copy of the collections after the 8.x migrations, with the migration control at v338."""
    data: Collections = {name: copy.deepcopy(list(documents)) for name, documents in collections.items()}
    for migration in MIGRATIONS_8X:
        migration(data)
    control = next(doc for doc in data["migrations"] if doc["_id"] == "control")
    control |= {"version": VERSION_8X, "locked": False}
    return data


def _delete_permissions(data: Collections, *names: str) -> None:
    data["rocketchat_permissions"] = [p for p in data["rocketchat_permissions"] if p["_id"] not in names]


def write_export(directory: Path, collections: Mapping[str, Sequence[Document]]) -> Path:
    """``<collection>.json`` files as ``mongoexport --jsonFormat=canonical`` writes them."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, documents in collections.items():
        lines = (json_util.dumps(document, json_options=CANONICAL_JSON_OPTIONS) for document in documents)
        (directory / f"{name}.json").write_text("".join(f"{line}\n" for line in lines))
    return directory


def main() -> None:
    upgraded = upgraded_to_8x(read_collections(CORPUS))
    write_export(UPGRADED / "export", upgraded)
    write_dump(UPGRADED / "dump" / "rocketchat", upgraded, "bson")


if __name__ == "__main__":
    main()
