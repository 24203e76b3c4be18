"""``voip-rooms export``: every room matching the API's filters, one JSON line each, to a file, a gzip
file, standard output or an S3 object; the operator's own archive of the call history.

An operator tool, like ``indexes`` and ``doctor``: it reads the database it is given (``MONGODB_URI``,
else ``--data``, else the demo data) with that access, so no Rocket.Chat user or permission is
involved. Stopped (Ctrl-C, SIGTERM, SIGHUP) or cut off by the database once it wrote a room, it
closes what it wrote, so the output holds every room it counted, whole, and prints the command that
continues after the last of them; the continued export neither repeats nor skips a room. Stopped or
cut off before the first room, it leaves nothing behind: the output is created with that room. A
failure of the output itself (a full disk, S3 refusing) gives up instead: what the output holds is
then not known room by room.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shlex
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from pymongo.errors import PyMongoError

from voip_rooms.database import get_database
from voip_rooms.errors import DatabaseUnavailable
from voip_rooms.params import RoomsParams
from voip_rooms.query import room_filter
from voip_rooms.settings import SETTINGS
from voip_rooms.store import RocketChatStore
from voip_rooms_local.demo import DEMO_DATABASE
from voip_rooms_local.export_outputs import Output, OutputError, S3Output, next_part_key, open_output
from voip_rooms_local.export_progress import Progress
from voip_rooms_local.export_walk import (
    EXPORT_SORT,
    ExportedRoom,
    ExportError,
    after_values,
    export_filters,
    exported_rooms,
    resume_cursor,
)
from voip_rooms_local.wording import counted

# SIGHUP: the terminal went away (a dropped SSH session).
STOPPING_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
FAILED = 1


@dataclasses.dataclass
class Walked:
    """What one run wrote: how many rooms, and the last of them."""

    rooms: int = 0
    last: ExportedRoom | None = None


@dataclasses.dataclass
class StopRequests:
    """The first stopping signal: until a room is in hand it ends the export at once (nothing was
    written, so nothing is kept: Stopped); from then on it lets the room being written finish, and
    ``number`` tells the walk to stop."""

    writing: bool = False
    number: int | None = None


class Stopped(BaseException):
    """A stopping signal before the first room (a BaseException, as KeyboardInterrupt is: no handler
    of errors on the way may take it for one)."""

    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def run_export(args: argparse.Namespace, choose_database: Callable[[Path | None], str]) -> int:
    """The command; ``choose_database`` installs the database (cli.py's rule) and names it. Bad
    arguments raise ExportError or OutputError, and a database that cannot be read before the first
    room raises its error, as for any other command; each before anything is written."""
    with _stop_requests() as stop:
        try:
            return _export(args, choose_database, stop)
        except Stopped as stopped:
            name = signal.Signals(stopped.number).name
            _say(f"stopped by {name} before the first room; nothing was written: run the same command again")
            return 128 + stopped.number


def _export(
    args: argparse.Namespace, choose_database: Callable[[Path | None], str], stop: StopRequests
) -> int:
    filters = export_filters(args.filter)
    after = after_values(args.after) if args.after is not None else None
    output = open_output(args.out, resuming=after is not None, kms_key_id=args.kms_key_id)
    _say_source(choose_database(args.data))
    store = RocketChatStore(get_database(SETTINGS), SETTINGS.mongodb_read_preference)
    progress = _progress(store, dataclasses.replace(filters, sort=EXPORT_SORT, after=after))
    return _write(args, exported_rooms(store, filters, after), output, progress, stop)


def _write(
    args: argparse.Namespace,
    rooms: Iterator[ExportedRoom],
    output: Output,
    progress: Progress | None,
    stop: StopRequests,
) -> int:
    walked = Walked()
    try:
        _copy(rooms, output, walked, progress, stop)
    except ExportError as error:
        return _failed(output, walked, str(error), args=None)
    except (DatabaseUnavailable, PyMongoError) as error:
        if not walked.rooms:  # nothing written, nothing to continue: as any command that cannot read it
            raise
        return _failed(output, walked, f"the database failed ({_described(error)})", args=args)
    except (OSError, OutputError) as error:
        return _output_failed(output, walked, error)
    if stop.number is not None:
        _failed(output, walked, f"stopped by {signal.Signals(stop.number).name}", args=args)
        return 128 + stop.number
    stop.writing = True  # also with no room: a stop now waits for the archive's close, whole
    try:
        output.close()  # with no room, an empty archive: the job ran, and nothing matched
    except (OSError, OutputError) as error:
        return _output_failed(output, walked, error)
    if not walked.rooms:
        if args.after is not None:
            _say("no room matched after the cursor: the export was complete")
        else:
            _say(f"no room matched: wrote an empty archive to {output.label}")
    return 0


def _copy(
    rooms: Iterator[ExportedRoom],
    output: Output,
    walked: Walked,
    progress: Progress | None,
    stop: StopRequests,
) -> None:
    """Each room to the output, until the last or a stop request; the progress line ends however it
    ends, so that what is said next starts on a line of its own."""
    try:
        for room in rooms:
            stop.writing = True  # a room in hand: a stop now lets it be written whole
            output.write(room.line + b"\n")
            walked.rooms += 1
            walked.last = room
            if progress is not None:
                progress.advance()
            if stop.number is not None:
                return
    finally:
        if progress is not None:
            progress.finish()


def _output_failed(output: Output, walked: Walked, error: OSError | OutputError) -> int:
    """The output itself failed: given up, since what it holds is not known room by room. Its reader
    gone (``| head``), the command ends quietly instead (entry.py)."""
    if isinstance(error, BrokenPipeError):
        raise error
    output.abort()
    if isinstance(error, OutputError):  # its message names the output already
        _say(str(error))
    else:
        # A write is buffered: the failing one may have cut a room.
        reason = error.strerror or str(error)
        _say(
            f"cannot write {output.label} after {counted(walked.rooms, 'room')}: {reason}; "
            "the last line may be incomplete"
        )
    return FAILED


def _failed(output: Output, walked: Walked, reason: str, *, args: argparse.Namespace | None) -> int:
    """The walk ends early: what was written is kept (unless the output fails too), and with ``args``
    the command that continues after its last room is printed."""
    try:
        output.close()
    except (OSError, OutputError) as error:
        return _output_failed(output, walked, error)
    if args is not None and walked.last is not None:
        _report_stop(args, output, walked.rooms, walked.last, reason)
    else:
        _say(f"{reason}; {output.label} holds the {counted(walked.rooms, 'room')} before it")
    return FAILED


def _progress(store: RocketChatStore, remaining: RoomsParams) -> Progress | None:
    """A progress line on a terminal (standard error); nothing, not even the count, when piped."""
    if not sys.stderr.isatty():
        return None
    return Progress(sys.stderr, store.count_rooms(room_filter(remaining)))


@contextmanager
def _stop_requests() -> Iterator[StopRequests]:
    """SIGINT, SIGTERM and SIGHUP, from the start of the command: see StopRequests. A second one acts
    at once, as it would without an export running; a signal ignored already (nohup) stays ignored."""
    stop = StopRequests()
    previous = {number: signal.getsignal(number) for number in STOPPING_SIGNALS}
    handled = {number: handler for number, handler in previous.items() if handler != signal.SIG_IGN}

    def restore() -> None:
        for number, handler in handled.items():
            signal.signal(number, handler)

    def request_stop(number: int, _: FrameType | None) -> None:
        restore()
        if not stop.writing:
            raise Stopped(number)
        stop.number = number

    for number in handled:
        signal.signal(number, request_stop)
    try:
        yield stop
    finally:
        restore()


def _report_stop(
    args: argparse.Namespace, output: Output, rooms: int, last: ExportedRoom, reason: str
) -> None:
    cursor = resume_cursor(last.sort_values)
    target = args.out
    if isinstance(output, S3Output):  # an S3 object cannot be continued: the rest goes beside it
        target = f"s3://{output.bucket}/{next_part_key(output.key)}"
    # The program as it was invoked: .venv/bin/voip-rooms works where a bare voip-rooms may not.
    program = sys.argv[0] or "voip-rooms"
    command = [program, "export", *_repeated_options(args), "--after", cursor, target]
    held = "every one of them" if rooms > 1 else "it"
    _say(f"{reason} after {counted(rooms, 'room')}; {output.label} holds {held} (the last: {last.room_id})")
    continued = " (append its output to this one's)" if target == "-" else ""
    _say(f"continue after it with: {shlex.join(command)}{continued}")


def _repeated_options(args: argparse.Namespace) -> list[str]:
    options = []
    if args.data is not None:
        options += ["--data", str(args.data)]
    if args.filter:
        options += ["--filter", args.filter]
    if args.kms_key_id is not None:
        options += ["--kms-key-id", args.kms_key_id]
    return options


def _say_source(database: str) -> None:
    """Which database the archive holds; the demo one loudly: its archive must never pass for one of
    production (an unset MONGODB_URI in a scheduled job)."""
    if database == DEMO_DATABASE:
        _say(
            f"WARNING: exporting the rooms of {database}: generated calls, no Rocket.Chat's history "
            "(set MONGODB_URI, or pass --data DIR, to export yours)"
        )
    else:
        _say(f"exporting the rooms of {database}")


def _say(message: str) -> None:
    """One line on standard error; a terminal gone meanwhile (a dropped SSH session) cannot hear it,
    and does not change how the export ends."""
    with contextlib.suppress(OSError):
        print(f"voip-rooms: {message}", file=sys.stderr, flush=True)


def _described(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:200]}" if str(error) else type(error).__name__
