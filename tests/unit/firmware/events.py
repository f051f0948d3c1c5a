"""Firmware events as the read model holds them, for history, projection and API tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import REQUEST_KINDS, requested
from csms_kernel.infra.envelopes import timestamp
from kit.builders.firmware import NOW, STATION


def at(seconds: float) -> datetime:
    return NOW + timedelta(seconds=seconds)


def update(
    key: str, seconds: float, request_id: int = 0, command: str = "update-firmware", station: str = STATION
) -> firmware_pb2.FirmwareEvent:
    request = firmware_pb2.FirmwareRequested(
        request_key=key,
        kind=REQUEST_KINDS[command],
        command=command,
        command_id=f"cmd-{key}",
        ocpp_request_id=request_id,
    )
    return requested(station, request, at(seconds))


def report(
    n: int,
    seconds: float,
    status: str,
    *,
    kind: firmware_pb2.ReportKind.ValueType = firmware_pb2.REPORT_KIND_FIRMWARE,
    request_id: int | None = None,
    of_latest: bool = False,
    action: str = "FirmwareStatusNotification",
) -> firmware_pb2.FirmwareEvent:
    return firmware_pb2.FirmwareEvent(
        event_id=f"r-{n}",
        station_id=STATION,
        recorded_at=timestamp(at(seconds)),
        status_reported=firmware_pb2.StatusReported(
            kind=kind,
            action=action,
            status=status,
            has_request_id=request_id is not None,
            ocpp_request_id=request_id or 0,
            belongs_to_latest=of_latest,
            message_id=f"m-{n}",
        ),
    )


def boot(n: int, seconds: float, version: str) -> firmware_pb2.FirmwareEvent:
    return firmware_pb2.FirmwareEvent(
        event_id=f"b-{n}",
        station_id=STATION,
        recorded_at=timestamp(at(seconds)),
        boot_seen=firmware_pb2.StationBootSeen(firmware_version=version, reason="FirmwareUpdate"),
    )
