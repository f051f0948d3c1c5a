"""CSMS security events: the record carries what was given, a fresh id and the CSMS time, and is logged."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from csms.security.v1 import security_pb2
from csms_kernel.security.events import csms_event


def test_builds_a_csms_record_and_logs_it(caplog: pytest.LogCaptureFixture) -> None:
    at = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    with caplog.at_level(logging.INFO, logger="csms.security"):
        first = csms_event(
            "handshake_refused",
            "CS-1",
            "profile 1 presented, profile 2 registered",
            critical=True,
            edge_node_id="edge-1",
            remote_address="10.0.0.7",
            details={"reason": "profile_too_low"},
            now=at,
        )
        second = csms_event("handshake_refused", "CS-1", "again", now=at)
    event = first.event
    assert event.source == security_pb2.SECURITY_EVENT_SOURCE_CSMS
    assert (event.type, event.station_id, event.critical) == ("handshake_refused", "CS-1", True)
    assert event.occurred_at.ToDatetime(UTC) == at == event.recorded_at.ToDatetime(UTC)
    assert dict(event.details) == {"reason": "profile_too_low"}
    assert event.event_id and event.event_id != second.event.event_id
    assert caplog.records[0].levelno == logging.WARNING
    assert "security_event=handshake_refused" in caplog.records[0].getMessage()
    assert "reason=profile_too_low" in caplog.records[0].getMessage()


def test_refuses_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="unknown CSMS security event type"):
        csms_event("made_up", "CS-1", "")
