"""How far a report sent in parts (seqNo from 0, `tbc` true on every part but the last) has come: NotifyMonitoringReport
and NotifyCustomerInformation parts, which may arrive repeated or out of order. Pure; no I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

RECEIVING = "receiving"
COMPLETE = "complete"


@dataclass(frozen=True)
class Part:
    seq_no: int
    tbc: bool


@dataclass(frozen=True)
class Progress:
    status: str
    parts_received: int
    missing: tuple[int, ...]


def progress(parts: Iterable[Part]) -> Progress:
    """Complete once the last part (tbc false) and every seqNo before it are in; `missing`: the seqNos below the
    highest received (or the last part's) that are not. A repeated seqNo counts once."""
    listed = [part for part in parts if part.seq_no >= 0]
    received = {part.seq_no for part in listed}
    last = min((part.seq_no for part in listed if not part.tbc), default=None)
    highest = last if last is not None else max(received, default=-1)
    missing = tuple(seq for seq in range(highest + 1) if seq not in received)
    status = COMPLETE if last is not None and not missing else RECEIVING
    return Progress(status, len(received), missing)
