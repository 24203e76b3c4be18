"""Time in tests: a clock moved by hand, and budgets that no busy machine runs out of.

A test's outcome never depends on how fast or busy the machine is. Deadline logic runs on a
``Clock`` that starts at a fixed, whole number of seconds, so that adding whole ages to it is exact
(a start read from ``time.monotonic()`` plus 300 s can round to less than 300 s later); durations are
compared with an absolute tolerance. Where a real socket must answer, its budget is ``GENEROUS_MS``
unless the budget itself is what the test is about.
"""

from __future__ import annotations

# A request budget far beyond what a loaded machine needs to talk to a loopback server; still far
# below what a missing bound would take (the driver's default server selection alone waits 30 s).
GENEROUS_MS = 60_000
# Where a hand-moved clock starts: any fixed value; a whole number keeps whole-second ages exact.
CLOCK_START = 1_000.0


class Clock:
    """A monotonic clock that moves only when a test moves it."""

    def __init__(self, start: float = CLOCK_START) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now
