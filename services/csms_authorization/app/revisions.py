"""Revisions of stored changes: microseconds of the service clock, strictly increasing per process. A change and
its outbox event are written with their revision as the CQL write timestamp, so of concurrent changes of one
record the one with the highest revision stays, and the event published last describes it (docs/adr/0006).
Also the truncation of times to what a CQL timestamp keeps. No I/O: the clock is injected.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class Revisions:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._last = 0

    def next(self) -> int:
        """Microseconds of the clock, increasing with every call."""
        now = (self._clock() - _EPOCH) // _MICROSECOND
        self._last = max(self._last + 1, now)
        return self._last


def to_ms(moment: datetime) -> datetime:
    """Truncated to milliseconds, the precision of a CQL timestamp: what is returned is what is stored."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)
