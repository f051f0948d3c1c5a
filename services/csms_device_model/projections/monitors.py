"""The monitors read model: what the CSMS knows of each station's variable monitors (`monitors`, one row per
station and monitor id) and the progress of its monitoring reports (`monitoring_report_parts`, one row per part).

- `set-variable-monitoring` answered (CommandAnswered): each monitor the station accepted, with the id it gave;
- `clear-variable-monitoring` answered: each id the station cleared (accepted) or does not have (not_found) is
  deleted;
- a NotifyMonitoringReport part (MonitoringReportPartReceived): its monitors as reported, and the part by
  (station, requestId, seqNo), so a repeated part changes nothing and parts may come in any order;
- `get-monitoring-report` without criteria or targets answered accepted or empty_result_set: the station reports
  every monitor it has (or has none), so the station's monitors are deleted at the time the request was sent; the
  parts that follow are written later and survive, monitors the station dropped on its own are gone.
Every write carries USING TIMESTAMP = the event's time, so a clear after a set wins whatever order the events are
replayed in, and a set after a clear brings the monitor back. `from_command_answered` is the CommandAnswered
writer (the lead chains it with other parts' writers of the same event kind). Pure; no I/O.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.commands import get_monitoring_report
from csms_device_model.domain.commands.monitoring import MonitorType
from csms_device_model.domain.commands.params import InvalidParams
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.projecting.writes import Write, micros

TABLES = ("monitors", "monitoring_report_parts")

SET = "set-variable-monitoring"
CLEAR = "clear-variable-monitoring"
GET_REPORT = "get-monitoring-report"
CLEARED = ("accepted", "not_found")
REPORTS_ALL = ("accepted", "empty_result_set")
SOURCE_SET = "set"
SOURCE_REPORT = "report"

UPSERT = (
    "UPDATE {ks}.monitors USING TIMESTAMP ? SET component = ?, component_instance = ?, evse_id = ?, connector_id = ?,"
    " variable = ?, variable_instance = ?, type = ?, value = ?, severity = ?, transaction = ?,"
    " event_notification_type = ?, source = ?, command_id = ?, request_id = ?, updated_at = ?"
    " WHERE station_id = ? AND monitor_id = ?"
)
DELETE = "DELETE FROM {ks}.monitors USING TIMESTAMP ? WHERE station_id = ? AND monitor_id = ?"
DELETE_ALL = "DELETE FROM {ks}.monitors USING TIMESTAMP ? WHERE station_id = ?"
PART = (
    "UPDATE {ks}.monitoring_report_parts USING TIMESTAMP ? SET tbc = ?, monitors = ?, generated_at = ?,"
    " received_at = ? WHERE station_id = ? AND request_id = ? AND seq_no = ?"
)


def _upsert(
    station_id: str,
    monitor: device_model_pb2.ReportedMonitor,
    at: datetime,
    source: str,
    command_id: str | None,
    request_id: int | None,
) -> Write:
    target = monitor.target
    values = (
        target.component,
        target.component_instance or None,
        target.evse_id if target.HasField("evse_id") else None,
        target.connector_id if target.HasField("connector_id") else None,
        target.variable,
        target.variable_instance or None,
        monitor.type,
        monitor.value,
        monitor.severity,
        monitor.transaction,
        monitor.event_notification_type or None,
        source,
        command_id,
        request_id,
        at,
    )
    return Write(UPSERT, (micros(at), *values, station_id, monitor.id))


def from_report_part(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    part = event.monitoring_report_part_received
    at = to_datetime(event.occurred_at)
    key = (event.station_id, part.request_id, part.seq_no)
    out = [Write(PART, (micros(at), part.tbc, len(part.monitors), to_datetime(part.generated_at), at, *key))]
    out += [_upsert(event.station_id, m, at, SOURCE_REPORT, None, part.request_id) for m in part.monitors]
    return out


def from_command_answered(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    command = event.command_answered.command
    if command.command not in (SET, CLEAR, GET_REPORT) or command.HasField("call_error") or not command.result_json:
        return []
    at = to_datetime(event.occurred_at)
    try:
        result = json.loads(command.result_json)
        if command.command == GET_REPORT:
            return _forget_unreported(command, result.get("status"))
        listed = result.get("results") or []
    except (ValueError, AttributeError):
        return []
    results = [r for r in listed if isinstance(r, dict)] if isinstance(listed, list) else []
    if command.command == CLEAR:
        return [
            Write(DELETE, (micros(at), event.station_id, r["id"]))
            for r in results
            if r.get("status") in CLEARED and isinstance(r.get("id"), int)
        ]
    return [
        _upsert(event.station_id, monitor, at, SOURCE_SET, command.command_id, None)
        for monitor in (_set_monitor(r) for r in results if r.get("status") == "accepted")
        if monitor is not None
    ]


def _forget_unreported(command: device_model_pb2.Command, status: object) -> list[Write]:
    """A complete monitoring report was asked for and will come: the monitors known before the request go."""
    if status not in REPORTS_ALL or not command.HasField("sent_at"):
        return []
    try:
        asked = get_monitoring_report.parse(json.loads(command.params_json or "{}"))
    except (InvalidParams, ValueError):
        return []  # params the command was sent with always parse; a record that does not is not the station's state
    if asked.criteria or asked.targets:
        return []
    return [Write(DELETE_ALL, (micros(to_datetime(command.sent_at)), command.station_id))]


def _set_monitor(result: dict[str, Any]) -> device_model_pb2.ReportedMonitor | None:
    """A monitor of a set-variable-monitoring result the station accepted; None for a result without an id (a
    station must give one) or not in the result's shape (an older record), which the projection skips."""
    if not isinstance(result.get("id"), int):
        return None
    target = result.get("target")
    if not isinstance(target, dict):
        return None
    variable = device_model_pb2.MonitoredVariable(
        component=target.get("component", ""),
        component_instance=target.get("component_instance") or "",
        variable=target.get("variable") or "",
        variable_instance=target.get("variable_instance") or "",
    )
    for field in ("evse_id", "connector_id"):
        if target.get(field) is not None:
            setattr(variable, field, target[field])
    try:
        return device_model_pb2.ReportedMonitor(
            id=result["id"],
            target=variable,
            type=MonitorType(result["type"]).ocpp,
            value=float(result["value"]),
            severity=int(result["severity"]),
            transaction=bool(result.get("transaction")),
        )
    except (KeyError, TypeError, ValueError):
        return None
