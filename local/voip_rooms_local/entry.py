"""The ``voip-rooms`` command's entry point: the environment's settings are read when the function's
modules are imported, so a bad one must be caught around that import, before any subcommand runs."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from types import TracebackType

from pymongo.errors import ConfigurationError


def main(argv: Sequence[str] | None = None) -> int:
    try:
        import voip_rooms.settings  # noqa: F401, PLC0415 - reads and checks every setting once
    except ValueError as error:
        return _refuse(_setting_problem(error))
    try:
        from voip_rooms_local import cli  # noqa: PLC0415 - connects to MONGODB_URI when set
    except (ValueError, ConfigurationError) as error:  # pymongo's URI parser: its text may quote the URI
        return _refuse(f"MONGODB_URI is not a valid MongoDB connection string ({type(error).__name__})")
    return cli.main(argv)


def _refuse(problem: str) -> int:
    print(f"voip-rooms: {problem}", file=sys.stderr)
    return 2


def _setting_problem(error: ValueError) -> str:
    """The error, naming the variable: settings' own messages do, int()'s does not."""
    variable = _variable_read(error.__traceback__)
    if variable is None or variable in str(error):
        return str(error)
    return f"{variable} must be a whole number"


def _variable_read(trace: TracebackType | None) -> str | None:
    """The environment variable the settings module was reading when it failed (its helpers' ``name``)."""
    variable = None
    while trace is not None:
        frame = trace.tb_frame
        if frame.f_globals.get("__name__") == "voip_rooms.settings" and isinstance(
            frame.f_locals.get("name"), str
        ):
            variable = frame.f_locals["name"]
        trace = trace.tb_next
    return variable
