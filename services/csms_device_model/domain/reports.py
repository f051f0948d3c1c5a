"""A device model report's progress (docs/adr/0032), derived from what the read model holds about it: the command
that asked for it (if any), the station's answer, and the parts received. Derived on read, so the state is the
same whatever order the command events and NotifyReport parts arrived in. Pure; no I/O.

- requested: the GetBaseReport/GetReport was sent, no part yet;
- receiving: parts arrived, not all of 0..the last one (tbc = false);
- complete: every part up to the last arrived (or the station answered EmptyResultSet);
- failed: the station did not accept the request (Rejected, NotSupported, a CALLERROR) or the command failed,
  and the parts are not complete;
- unsolicited: parts with a requestId no command of this CSMS asked for.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class ReportState(enum.Enum):
    REQUESTED = "requested"
    RECEIVING = "receiving"
    COMPLETE = "complete"
    FAILED = "failed"
    UNSOLICITED = "unsolicited"


TAKEN = ("accepted", "empty_result_set")


@dataclass(frozen=True)
class Part:
    seq_no: int
    tbc: bool


@dataclass(frozen=True)
class Progress:
    state: ReportState
    last_seq_no: int | None
    missing: tuple[int, ...]
    complete_parts: bool


def progress(asked: bool, answer_status: str, failure: str, parts: Iterable[Part]) -> Progress:
    """`asked`: a command of this CSMS asked for the report; `answer_status`: the station's answer to it
    (snake_case, '' before it), `failure`: why the command failed ('' if it did not)."""
    received = list(parts)
    seq_nos = {part.seq_no for part in received}
    lasts = [part.seq_no for part in received if not part.tbc]
    last = min(lasts) if lasts else None
    top = last if last is not None else max(seq_nos, default=-1)
    missing = tuple(n for n in range(top + 1) if n not in seq_nos)
    complete_parts = last is not None and not missing
    if not asked:
        state = ReportState.UNSOLICITED
    elif complete_parts or (answer_status == "empty_result_set" and not received):
        state = ReportState.COMPLETE
    elif failure or (answer_status and answer_status not in TAKEN):
        state = ReportState.FAILED
    elif received:
        state = ReportState.RECEIVING
    else:
        state = ReportState.REQUESTED
    return Progress(state, last, missing, complete_parts)
