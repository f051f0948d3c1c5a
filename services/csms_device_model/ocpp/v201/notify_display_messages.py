"""OCPP 2.0.1 NotifyDisplayMessages: one part (tbc) of the station's answer to GetDisplayMessages, recorded as
DisplayMessagesReported; the display messages read model takes it from there (docs/adr/0034)."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.display_messages import reported


async def handle(ctx: DeviceModelContext, request: call.NotifyDisplayMessages) -> call_result.NotifyDisplayMessages:
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            display_messages_reported=device_model_pb2.DisplayMessagesReported(
                request_id=request.request_id,
                tbc=bool(request.tbc),
                messages=[reported(info) for info in request.message_info or []],
            )
        )
    )
    return call_result.NotifyDisplayMessages()
