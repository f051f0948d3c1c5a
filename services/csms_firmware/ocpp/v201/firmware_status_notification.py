"""OCPP 2.0.1 FirmwareStatusNotification: the progress of an UpdateFirmware, with its requestId (absent when
Idle)."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import FIRMWARE, record


async def handle(
    ctx: FirmwareContext, request: call.FirmwareStatusNotification
) -> call_result.FirmwareStatusNotification:
    record(ctx, FIRMWARE, request.status, request_id=request.request_id)
    return call_result.FirmwareStatusNotification()
