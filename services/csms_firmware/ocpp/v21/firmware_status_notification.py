"""OCPP 2.1 FirmwareStatusNotification: the progress of an UpdateFirmware, with its requestId (absent when
Idle)."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import FIRMWARE, record


async def handle(
    ctx: FirmwareContext, request: call.FirmwareStatusNotification
) -> call_result.FirmwareStatusNotification:
    record(ctx, FIRMWARE, request.status, request_id=request.request_id, status_info=request.status_info)
    return call_result.FirmwareStatusNotification()
