"""The firmware service's events (`FirmwareEvent`, csms.firmware.events.v1, key = station id) and their
deterministic ids: the same request handed over again, or the same CALL handled again, makes the same event, so
the read model stores it once. Pure, no I/O."""

from __future__ import annotations

import uuid
from datetime import datetime

from csms.firmware.v1 import firmware_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.topics import FIRMWARE_EVENTS

TOPIC = FIRMWARE_EVENTS
IDEMPOTENCY_PREFIX = "firmware:"
"""Device-model's idempotency key of a request's command is this prefix and the request key."""

REQUEST_KINDS: dict[str, firmware_pb2.RequestKind.ValueType] = {
    "update-firmware": firmware_pb2.REQUEST_KIND_FIRMWARE_UPDATE,
    "get-log": firmware_pb2.REQUEST_KIND_LOG_UPLOAD,
    "get-diagnostics": firmware_pb2.REQUEST_KIND_LOG_UPLOAD,
    "publish-firmware": firmware_pb2.REQUEST_KIND_FIRMWARE_PUBLISH,
}
"""The device-model commands that start a request the station reports on, and the kind of each."""

COMMAND_KEY_PREFIX = "command:"
"""The request key of a request seen only as a device-model command (sent as a plain operator command)."""

_NAMESPACE = uuid.UUID("0b7f6c1e-3a52-4d8e-9f41-7c2e5d9a1b37")


def derived_id(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, "\x00".join(parts)))


def requested(station_id: str, request: firmware_pb2.FirmwareRequested, at: datetime) -> firmware_pb2.FirmwareEvent:
    return firmware_pb2.FirmwareEvent(
        event_id=derived_id("requested", station_id, request.request_key),
        station_id=station_id,
        recorded_at=timestamp(at),
        requested=request,
    )


def status_reported(
    station_id: str, connection_id: str, report: firmware_pb2.StatusReported, at: datetime
) -> firmware_pb2.FirmwareEvent:
    return firmware_pb2.FirmwareEvent(
        event_id=derived_id("status", station_id, connection_id, report.message_id),
        station_id=station_id,
        recorded_at=timestamp(at),
        status_reported=report,
    )
