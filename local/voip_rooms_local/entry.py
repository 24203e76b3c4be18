"""The ``voip-rooms`` command's entry point: the environment's settings are read when the function's
modules are imported, so a bad one must be caught around that import, before any subcommand runs."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    try:
        import voip_rooms.settings  # noqa: F401, PLC0415 - reads and checks every setting once
    except ValueError as error:
        return _refuse(str(error))  # each setting's message names its variable
    from voip_rooms import database  # noqa: PLC0415 - after the settings: it reads them
    from voip_rooms.errors import DatabaseNotConfigured  # noqa: PLC0415
    from voip_rooms.settings import SETTINGS  # noqa: PLC0415

    if SETTINGS.mongodb_uri:
        try:
            database.get_database(SETTINGS)  # no I/O: the connection string's checks only
        except DatabaseNotConfigured as error:
            return _refuse(str(error))
    from voip_rooms_local import cli  # noqa: PLC0415

    return cli.main(argv)


def _refuse(problem: str) -> int:
    print(f"voip-rooms: {problem}", file=sys.stderr)
    return 2
