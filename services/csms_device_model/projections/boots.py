"""The boot history read model (docs/adr/0031): one row per StationBooted — when, why (2.x boot reason), the
firmware, vendor, model and serial number the station reported, and how the boot was answered — in
`station_boots`, newest first per station. Pure; no I/O. Registered in `projections/device.py`.

Keyed by (station id, boot time, OCPP message id): a replayed or redelivered event writes the same row.
"""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import to_datetime, version_from_proto
from csms_kernel.projecting.writes import Write, micros

TABLE = "station_boots"

BOOTED = (
    "INSERT INTO {ks}.station_boots (station_id, booted_at, message_id, ocpp_version, reason, firmware_version,"
    " vendor, model, serial_number, registration_status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    booted = event.station_booted
    at = to_datetime(event.occurred_at)
    version = version_from_proto(event.ocpp_version).subprotocol
    values = (
        booted.reason,
        booted.firmware_version,
        booted.vendor,
        booted.model,
        booted.serial_number,
        booted.registration_status,
    )
    return [Write(BOOTED, (event.station_id, at, event.message_id, version, *values, micros(at)))]
