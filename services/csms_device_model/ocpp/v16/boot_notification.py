"""OCPP 1.6 BootNotification: answer Accepted, Pending or Rejected by the station's boot policy (docs/adr/0031;
Accepted carries the heartbeat interval, the others the retry interval), and record the boot with its answer."""

from __future__ import annotations

from ocpp.v16 import call, call_result
from ocpp.v16.enums import RegistrationStatus

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext


async def handle(ctx: DeviceModelContext, request: call.BootNotification) -> call_result.BootNotification:
    answer = await ctx.boot_answer()
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            station_booted=device_model_pb2.StationBooted(
                vendor=request.charge_point_vendor,
                model=request.charge_point_model,
                serial_number=request.charge_point_serial_number or request.charge_box_serial_number or "",
                firmware_version=request.firmware_version or "",
                registration_status=answer.status.value,
            )
        )
    )
    return call_result.BootNotification(
        current_time=ctx.now_iso(),
        interval=answer.interval_s,
        status=RegistrationStatus(answer.status.value),
    )
