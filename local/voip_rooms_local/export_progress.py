"""The export's progress line on a terminal: rooms done of the total, the share, and the rate.

Redrawn in place (a carriage return) at most every ``INTERVAL`` seconds, so that a million rooms
cost a few thousand writes, not a million; the clock is injected, so that tests control it. A
terminal that went away (a dropped SSH session: writes fail) ends the line, never the export.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO

from voip_rooms_local.wording import counted

INTERVAL = 0.2


class Progress:
    def __init__(self, stream: IO[str], total: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.total, self.clock = stream, total, clock
        self.done = 0
        # From the first room: the wait for it (the first page's read) is no part of the rate.
        self.started: float | None = None
        self.drawn_at = 0.0
        self._width = 0
        self._gone = False

    def advance(self) -> None:
        self.done += 1
        now = self.clock()
        if self.started is None:
            self.started = self.drawn_at = now
        elif now - self.drawn_at >= INTERVAL:
            self._draw(now)

    def finish(self) -> None:
        """The last state, kept on the terminal with a newline."""
        self._draw(self.clock())
        self._show("\n")

    def _draw(self, now: float) -> None:
        self.drawn_at = now
        share = f" ({self.done * 100 // self.total}%)" if self.total else ""
        elapsed = now - self.started if self.started is not None else 0.0
        # The rooms after the first, in the time since it.
        rate = f", {(self.done - 1) / elapsed:,.0f} rooms/s" if elapsed > 0 else ""
        text = f"  {self.done:,} of {counted(self.total, 'room')}{share}{rate}"
        # Spaces over what a longer line before left behind.
        self._show(f"\r{text}{' ' * max(0, self._width - len(text))}")
        self._width = len(text)

    def _show(self, text: str) -> None:
        if self._gone:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except OSError:
            self._gone = True
