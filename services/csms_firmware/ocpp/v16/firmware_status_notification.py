"""OCPP 1.6 FirmwareStatusNotification: the progress of the station's UpdateFirmware. It carries no requestId:
it belongs to the station's latest firmware update request (Idle: to none)."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import FIRMWARE, record


async def handle(
    ctx: FirmwareContext, request: call.FirmwareStatusNotification
) -> call_result.FirmwareStatusNotification:
    record(ctx, FIRMWARE, request.status, of_latest_request=True)
    return call_result.FirmwareStatusNotification()
