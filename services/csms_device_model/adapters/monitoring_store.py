"""The Cassandra implementation of `MonitoringReads` (`ports.py`): the station event log, the monitors, and the parts
of monitoring and customer information reports (tables in `schema.cql`, written by the device projector). Reads
only; network I/O to Cassandra."""

from __future__ import annotations

from datetime import datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ports import EventPosition, ReportPart
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion

_EVENTS = "SELECT * FROM csms_device_model.station_events WHERE station_id = ?"
_AFTER = " AND (occurred_at, event_id, cleared) < (?, ?, ?)"
_SINCE = " AND occurred_at >= ?"
_MONITORS = "SELECT * FROM csms_device_model.monitors WHERE station_id = ?"
_REPORT_PARTS = "SELECT * FROM csms_device_model.monitoring_report_parts WHERE station_id = ?"
_INFORMATION_PARTS = (
    "SELECT * FROM csms_device_model.customer_information_parts WHERE station_id = ? AND request_id = ?"
)


class CassandraMonitoringReads:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def station_events(
        self, station_id: str, limit: int, after: EventPosition | None, since: datetime | None
    ) -> list[device_model_pb2.StationEvent]:
        cql, params = _EVENTS, list[object]([station_id])
        if after is not None:
            cql += _AFTER
            params += [after.occurred_at, after.event_id, after.cleared]
        if since is not None:
            cql += _SINCE
            params.append(since)
        statement = await self._session.prepare(cql + " LIMIT ?", idempotent=True)
        rows = await self._session.execute(statement, (*params, limit))
        return [station_event(row) for row in rows]

    async def monitors(self, station_id: str) -> list[device_model_pb2.Monitor]:
        rows = await self._session.execute(await self._session.prepare(_MONITORS, idempotent=True), (station_id,))
        return [monitor(row) for row in rows]

    async def monitoring_report_parts(self, station_id: str) -> list[ReportPart]:
        statement = await self._session.prepare(_REPORT_PARTS, idempotent=True)
        rows = await self._session.execute(statement, (station_id,))
        return [_part(row, count=row["monitors"] or 0) for row in rows]

    async def customer_information_parts(self, station_id: str, request_id: int) -> list[ReportPart]:
        statement = await self._session.prepare(_INFORMATION_PARTS, idempotent=True)
        rows = await self._session.execute(statement, (station_id, request_id))
        return [_part(row, data=row["data"] or "") for row in rows]


def _part(row: Row, *, count: int = 0, data: str = "") -> ReportPart:
    return ReportPart(
        row["request_id"], row["seq_no"], bool(row["tbc"]), row["generated_at"], row["received_at"], count, data
    )


def target(row: Row) -> device_model_pb2.MonitoredVariable:
    found = device_model_pb2.MonitoredVariable(
        component=row["component"] or "",
        component_instance=row["component_instance"] or "",
        variable=row["variable"] or "",
        variable_instance=row["variable_instance"] or "",
    )
    for field in ("evse_id", "connector_id"):
        if row[field] is not None:
            setattr(found, field, row[field])
    return found


def station_event(row: Row) -> device_model_pb2.StationEvent:
    reported = device_model_pb2.StationEventReported(
        event_id=row["event_id"],
        timestamp=timestamp(row["occurred_at"]),
        trigger=row["trigger"] or "",
        actual_value=row["actual_value"] or "",
        tech_code=row["tech_code"] or "",
        tech_info=row["tech_info"] or "",
        cleared=bool(row["cleared"]),
        transaction_id=row["transaction_id"] or "",
        event_notification_type=row["event_notification_type"] or "",
        target=target(row),
        seq_no=row["seq_no"] or 0,
        tbc=bool(row["tbc"]),
    )
    for field in ("cause", "variable_monitoring_id", "severity"):
        if row[field] is not None:
            setattr(reported, field, row[field])
    if row["generated_at"] is not None:
        reported.generated_at.CopyFrom(timestamp(row["generated_at"]))
    event = device_model_pb2.StationEvent(
        station_id=row["station_id"], event=reported, message_id=row["message_id"] or ""
    )
    if row["received_at"] is not None:
        event.received_at.CopyFrom(timestamp(row["received_at"]))
    if row["ocpp_version"]:
        event.ocpp_version = version_to_proto(OcppVersion(row["ocpp_version"]))
    if row["severity"] is not None:
        event.severity = row["severity"]
    return event


def monitor(row: Row) -> device_model_pb2.Monitor:
    reported = device_model_pb2.ReportedMonitor(
        id=row["monitor_id"],
        target=target(row),
        type=row["type"] or "",
        value=row["value"] or 0.0,
        severity=row["severity"] or 0,
        transaction=bool(row["transaction"]),
        event_notification_type=row["event_notification_type"] or "",
    )
    found = device_model_pb2.Monitor(
        monitor=reported,
        source=row["source"] or "",
        command_id=row["command_id"] or "",
        request_id=row["request_id"] or 0,
    )
    if row["updated_at"] is not None:
        found.updated_at.CopyFrom(timestamp(row["updated_at"]))
    return found
