"""The stations and connector_status read models: pure mapping from facts to CQL writes.

Each write carries USING TIMESTAMP = the time of the fact (microseconds), so replays and out-of-order
delivery converge on the same rows (last write wins by event time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.presence import PresenceChange
from csms_kernel.infra.envelopes import to_datetime, version_from_proto


@dataclass(frozen=True)
class Write:
    cql: str
    params: tuple[object, ...]


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


LAST_SEEN = "UPDATE csms_device_model.stations USING TIMESTAMP ? SET last_seen_at = ? WHERE station_id = ?"

PRESENCE = (
    "UPDATE csms_device_model.stations USING TIMESTAMP ? SET connected = ?, edge_node_id = ?, connection_id = ?,"
    " edge_address = ?, ocpp_version = ? WHERE station_id = ?"
)

BOOTED = (
    "UPDATE csms_device_model.stations USING TIMESTAMP ? SET vendor = ?, model = ?, serial_number = ?,"
    " firmware_version = ?, boot_reason = ?, ocpp_version = ?, last_boot_at = ? WHERE station_id = ?"
)

CONNECTOR_STATUS = (
    "UPDATE csms_device_model.connector_status USING TIMESTAMP ? SET status = ?, error_code = ?, updated_at = ?"
    " WHERE station_id = ? AND evse_id = ? AND connector_id = ?"
)


def last_seen(station_id: str, at: datetime) -> Write:
    return Write(LAST_SEEN, (_micros(at), at, station_id))


def presence(station_id: str, change: PresenceChange) -> Write:
    p = change.new
    params = (_micros(change.at), p.connected, p.edge_node_id, p.connection_id, p.edge_address, p.ocpp_version)
    return Write(PRESENCE, (*params, station_id))


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    at = to_datetime(event.occurred_at)
    which = event.WhichOneof("event")
    if which == "station_booted":
        booted = event.station_booted
        version = version_from_proto(event.ocpp_version).subprotocol
        values = (booted.vendor, booted.model, booted.serial_number, booted.firmware_version, booted.reason)
        return [Write(BOOTED, (_micros(at), *values, version, at, event.station_id))]
    if which == "connector_status_changed":
        status = event.connector_status_changed
        reported_at = to_datetime(status.timestamp)
        where = (event.station_id, status.evse_id, status.connector_id)
        return [Write(CONNECTOR_STATUS, (_micros(at), status.status, status.error_code, reported_at, *where))]
    return []
