"""OCPP 2.1 BootNotification: as 2.0.1 (the message has the same fields): answer by the station's boot policy
(docs/adr/0031) and record the boot."""

from __future__ import annotations

from ocpp.v21 import call, call_result
from ocpp.v21.enums import RegistrationStatusEnumType

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.boot_notification import record_boot


async def handle(ctx: DeviceModelContext, request: call.BootNotification) -> call_result.BootNotification:
    answer = await ctx.boot_answer()
    record_boot(ctx, request, answer)
    return call_result.BootNotification(
        current_time=ctx.now_iso(),
        interval=answer.interval_s,
        status=RegistrationStatusEnumType(answer.status.value),
    )
