"""The station event log read model (`station_events`): each StationEventReported (one NotifyEvent EventData) →
one row, keyed by (station, the event's timestamp, eventId, cleared), so a NotifyEvent the station sends again
(after a reconnect, with a new message id) or a replayed event overwrites its own row instead of adding one.
Written USING TIMESTAMP = when the CSMS received it. Pure; no I/O.
"""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import to_datetime, version_from_proto
from csms_kernel.projecting.writes import Write, micros

TABLES = ("station_events",)

COLUMNS = (
    "station_id",
    "occurred_at",
    "event_id",
    "cleared",
    "received_at",
    "message_id",
    "ocpp_version",
    "trigger",
    "cause",
    "actual_value",
    "tech_code",
    "tech_info",
    "transaction_id",
    "variable_monitoring_id",
    "event_notification_type",
    "component",
    "component_instance",
    "evse_id",
    "connector_id",
    "variable",
    "variable_instance",
    "severity",
    "generated_at",
    "seq_no",
    "tbc",
)

INSERT = (
    f"INSERT INTO {{ks}}.station_events ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    " USING TIMESTAMP ?"
)


def optional(message: object, field: str) -> int | None:
    """An `optional` proto field's value, None when unset."""
    return getattr(message, field) if message.HasField(field) else None  # type: ignore[attr-defined]


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    reported = event.station_event_reported
    target = reported.target
    received_at = to_datetime(event.occurred_at)
    values = (
        event.station_id,
        to_datetime(reported.timestamp),
        reported.event_id,
        reported.cleared,
        received_at,
        event.message_id,
        version_from_proto(event.ocpp_version).subprotocol,
        reported.trigger,
        optional(reported, "cause"),
        reported.actual_value,
        reported.tech_code or None,
        reported.tech_info or None,
        reported.transaction_id or None,
        optional(reported, "variable_monitoring_id"),
        reported.event_notification_type,
        target.component,
        target.component_instance or None,
        optional(target, "evse_id"),
        optional(target, "connector_id"),
        target.variable,
        target.variable_instance or None,
        optional(reported, "severity"),
        to_datetime(reported.generated_at),
        reported.seq_no,
        reported.tbc,
    )
    return [Write(INSERT, (*values, micros(received_at)))]
