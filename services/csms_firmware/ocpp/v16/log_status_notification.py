"""OCPP 1.6 LogStatusNotification (security whitepaper): the progress of a GetLog upload, with its requestId."""

from __future__ import annotations

from dataclasses import dataclass

from ocpp.v16 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import LOG, record


@dataclass
class LogStatusNotification(call.LogStatusNotification):  # type: ignore[misc]  # ocpp is untyped
    """The `ocpp` 1.6 request with requestId optional, as the whitepaper's schema has it (absent when Idle)."""

    request_id: int | None = None


async def handle(ctx: FirmwareContext, request: LogStatusNotification) -> call_result.LogStatusNotification:
    record(ctx, LOG, request.status, request_id=request.request_id)
    return call_result.LogStatusNotification()
