"""OCPP 2.1 BootNotification: accept the station, tell it the heartbeat interval, record the boot (as in 2.0.1:
the message has the same fields)."""

from __future__ import annotations

from ocpp.v21 import call, call_result
from ocpp.v21.enums import RegistrationStatusEnumType

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.boot_notification import record_boot


async def handle(ctx: DeviceModelContext, request: call.BootNotification) -> call_result.BootNotification:
    record_boot(ctx, request)
    return call_result.BootNotification(
        current_time=ctx.now_iso(),
        interval=ctx.heartbeat_interval_s,
        status=RegistrationStatusEnumType.accepted,
    )
