"""OCPP 2.1 LogStatusNotification: the progress of a GetLog upload, with its requestId (absent when Idle)."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import LOG, record


async def handle(ctx: FirmwareContext, request: call.LogStatusNotification) -> call_result.LogStatusNotification:
    record(ctx, LOG, request.status, request_id=request.request_id, status_info=request.status_info)
    return call_result.LogStatusNotification()
