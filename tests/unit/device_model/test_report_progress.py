"""A report's progress from its command, answer and parts (domain/reports.py), whatever order they came in."""

from __future__ import annotations

import pytest

from csms_device_model.domain.reports import Part, ReportState, progress


def parts(*seq_nos: int, last: int | None = None) -> list[Part]:
    return [Part(n, n != last) for n in seq_nos]


@pytest.mark.parametrize(
    ("asked", "answer", "failure", "received", "state", "last", "missing"),
    [
        (True, "", "", [], ReportState.REQUESTED, None, ()),
        (True, "accepted", "", [], ReportState.REQUESTED, None, ()),
        (True, "accepted", "", parts(0, 2), ReportState.RECEIVING, None, (1,)),
        (True, "accepted", "", parts(2, 0, last=2), ReportState.RECEIVING, 2, (1,)),
        (True, "accepted", "", parts(2, 1, 0, last=2), ReportState.COMPLETE, 2, ()),
        (True, "", "", parts(1, 0, 1, last=1), ReportState.COMPLETE, 1, ()),
        (True, "empty_result_set", "", [], ReportState.COMPLETE, None, ()),
        (True, "rejected", "", [], ReportState.FAILED, None, ()),
        (True, "not_supported", "", [], ReportState.FAILED, None, ()),
        (True, "call_error", "NotImplemented: x", [], ReportState.FAILED, None, ()),
        (True, "", "timeout: no answer", parts(0), ReportState.FAILED, None, ()),
        (True, "", "timeout: no answer", parts(0, last=0), ReportState.COMPLETE, 0, ()),
        (False, "", "", parts(0), ReportState.UNSOLICITED, None, ()),
        (False, "", "", parts(1, 0, last=1), ReportState.UNSOLICITED, 1, ()),
    ],
)
def test_progress(
    asked: bool,
    answer: str,
    failure: str,
    received: list[Part],
    state: ReportState,
    last: int | None,
    missing: tuple[int, ...],
) -> None:
    found = progress(asked, answer, failure, received)
    assert (found.state, found.last_seq_no, found.missing) == (state, last, missing)
    assert found.complete_parts == (last is not None and not missing)
