"""The CSMS's own security events as `SecurityEventRecorded` records for `csms.security.events.v1` (ADR 0024).

`csms_event` builds one (a new event id, the CSMS clock) and also writes it to the `csms.security` log, so an
event is visible even while Kafka is down; publishing the record is the caller's business (key: `station_id`).
No I/O besides the log line.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime

from csms.security.v1 import security_pb2
from csms_kernel.telemetry.security_log import security_event

TOPIC = "csms.security.events.v1"

CSMS_EVENT_TYPES: frozenset[str] = frozenset(
    {
        "handshake_refused",
        "handshake_locked_out",
        "client_certificate_rejected",
        "connection_limit_reached",
        "csr_rejected",
        "certificate_issued",
        "password_rotated",
        "security_profile_upgraded",
    }
)
"""The types of CSMS events (security.proto `SecurityEvent.type`); docs/adr/0024."""


def csms_event(
    type_: str,
    station_id: str,
    tech_info: str,
    *,
    critical: bool = False,
    edge_node_id: str = "",
    remote_address: str = "",
    details: Mapping[str, str] | None = None,
    now: datetime | None = None,
) -> security_pb2.SecurityEventRecorded:
    """A new CSMS security event of `type_` (one of `CSMS_EVENT_TYPES`), logged and returned for publishing."""
    if type_ not in CSMS_EVENT_TYPES:
        raise ValueError(f"unknown CSMS security event type {type_!r}")
    at = now or datetime.now(UTC)
    event = security_pb2.SecurityEvent(
        event_id=str(uuid.uuid4()),
        station_id=station_id,
        source=security_pb2.SECURITY_EVENT_SOURCE_CSMS,
        type=type_,
        critical=critical,
        tech_info=tech_info,
        edge_node_id=edge_node_id,
        remote_address=remote_address,
        details=dict(details or {}),
    )
    event.occurred_at.FromDatetime(at)
    event.recorded_at.FromDatetime(at)
    security_event(
        type_,
        logging.WARNING if critical else logging.INFO,
        station_id=station_id,
        event_id=event.event_id,
        tech_info=tech_info,
        edge_node_id=edge_node_id or None,
        remote_address=remote_address or None,
        **dict(details or {}),
    )
    return security_pb2.SecurityEventRecorded(event=event)
