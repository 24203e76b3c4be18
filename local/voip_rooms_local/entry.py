"""The ``voip-rooms`` command's entry point: the environment's settings are read when the function's
modules are imported, so a bad one must be caught around that import, before any subcommand runs.
A reader of standard output that went away (``voip-rooms doctor | head``) ends any command here,
quietly."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = _run(argv)
        sys.stdout.flush()  # here, not at exit: a reader gone is then caught below
    except BrokenPipeError:
        return _reader_gone()
    return status


def _reader_gone() -> int:
    """As a Unix tool ends when its reader goes: silently, with the status a shell shows for a
    writer killed by SIGPIPE. What is still buffered for the reader goes nowhere, else flushing it
    at exit would fail again, loudly."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def _run(argv: Sequence[str] | None) -> int:
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
