"""The security event log projection: every event stored per station and per day, keyed by its id and time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csms.security.v1 import security_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros
from csms_kernel.security.events import TOPIC, csms_event
from csms_security.projections.security_events import BY_DAY, BY_STATION, DAYS, PROJECTION, event_writes

AT = datetime(2026, 11, 21, 12, 0, 0, 123000, tzinfo=UTC)
DAY = 20778  # 2026-11-21: days since 1970-01-01


def test_the_projection_reads_the_security_topic_into_its_keyspace() -> None:
    assert (PROJECTION.name, PROJECTION.topics, PROJECTION.keyspace) == (
        "security.projector.events",
        (TOPIC,),
        "csms_security",
    )


def test_a_csms_event_is_written_per_station_and_per_day() -> None:
    record = csms_event("handshake_refused", "CS-9", "wrong password", now=AT)
    blob = record.event.SerializeToString(deterministic=True)
    assert event_writes(record) == [
        Write(BY_STATION, ("CS-9", AT, record.event.event_id, blob, micros(AT))),
        Write(BY_DAY, (DAY, AT, "CS-9", record.event.event_id, blob, micros(AT))),
        Write(DAYS, (0, DAY)),
    ]


def test_an_event_without_a_station_is_written_per_day_only() -> None:
    record = csms_event("client_certificate_rejected", "", "TLS handshake refused", now=AT)
    blob = record.event.SerializeToString(deterministic=True)
    assert event_writes(record) == [
        Write(BY_DAY, (DAY, AT, "", record.event.event_id, blob, micros(AT))),
        Write(DAYS, (0, DAY)),
    ]


def test_the_same_event_twice_gives_the_same_writes() -> None:
    record = csms_event("csr_rejected", "CS-1", "weak key", now=AT)
    assert PROJECTION.writes([record, record], None) == event_writes(record) * 2


def test_an_event_without_id_is_refused() -> None:
    event = security_pb2.SecurityEvent(station_id="CS-1", type="x", recorded_at=timestamp(AT))
    with pytest.raises(ValueError, match="without an event_id"):
        event_writes(security_pb2.SecurityEventRecorded(event=event))
