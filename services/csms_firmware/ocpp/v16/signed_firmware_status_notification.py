"""OCPP 1.6 SignedFirmwareStatusNotification (security whitepaper): the progress of a SignedUpdateFirmware,
with its requestId."""

from __future__ import annotations

from dataclasses import dataclass

from ocpp.v16 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import FIRMWARE, record


@dataclass
class SignedFirmwareStatusNotification(call.SignedFirmwareStatusNotification):  # type: ignore[misc]  # untyped
    """The `ocpp` 1.6 request with requestId optional, as the whitepaper's schema has it (absent when Idle)."""

    request_id: int | None = None


async def handle(
    ctx: FirmwareContext, request: SignedFirmwareStatusNotification
) -> call_result.SignedFirmwareStatusNotification:
    record(ctx, FIRMWARE, request.status, request_id=request.request_id)
    return call_result.SignedFirmwareStatusNotification()
