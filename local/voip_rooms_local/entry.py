"""The ``voip-rooms`` command's entry point: the environment's settings are read when the function's
modules are imported, so a bad one must be caught around that import, before any subcommand runs."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from pymongo.errors import ConfigurationError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        import voip_rooms.settings  # noqa: F401, PLC0415 - reads and checks every setting once
    except ValueError as error:
        return _refuse(str(error))  # each setting's message names its variable
    try:
        from voip_rooms_local import cli  # noqa: PLC0415 - connects to MONGODB_URI when set
    except (ValueError, ConfigurationError) as error:  # pymongo's URI parser: its text may quote the URI
        return _refuse(f"MONGODB_URI is not a valid MongoDB connection string ({type(error).__name__})")
    return cli.main(argv)


def _refuse(problem: str) -> int:
    print(f"voip-rooms: {problem}", file=sys.stderr)
    return 2
