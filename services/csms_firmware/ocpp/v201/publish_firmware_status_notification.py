"""OCPP 2.0.1 PublishFirmwareStatusNotification (local controllers): the progress of a PublishFirmware, with its
requestId and, once Published, the locations the controller serves the image at."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.reports import PUBLISH, record


async def handle(
    ctx: FirmwareContext, request: call.PublishFirmwareStatusNotification
) -> call_result.PublishFirmwareStatusNotification:
    record(
        ctx,
        PUBLISH,
        request.status,
        request_id=request.request_id,
        locations=request.location or (),
    )
    return call_result.PublishFirmwareStatusNotification()
