"""OCPP 1.6 DiagnosticsStatusNotification: the progress of the station's diagnostics upload (GetDiagnostics).
It carries no requestId: it belongs to the station's latest get-diagnostics request (Idle: to none)."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import DIAGNOSTICS, record


async def handle(
    ctx: FirmwareContext, request: call.DiagnosticsStatusNotification
) -> call_result.DiagnosticsStatusNotification:
    record(ctx, DIAGNOSTICS, request.status, of_latest_request=True)
    return call_result.DiagnosticsStatusNotification()
