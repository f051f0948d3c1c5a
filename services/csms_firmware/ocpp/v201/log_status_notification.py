"""OCPP 2.0.1 LogStatusNotification: the progress of a GetLog upload, with its requestId (absent when Idle)."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import LOG, record


async def handle(ctx: FirmwareContext, request: call.LogStatusNotification) -> call_result.LogStatusNotification:
    record(ctx, LOG, request.status, request_id=request.request_id)
    return call_result.LogStatusNotification()
