"""OCPP 1.6 BootNotification: accept the station, tell it the heartbeat interval, record the boot."""

from __future__ import annotations

from ocpp.v16 import call, call_result
from ocpp.v16.enums import RegistrationStatus

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext


async def handle(ctx: DeviceModelContext, request: call.BootNotification) -> call_result.BootNotification:
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            station_booted=device_model_pb2.StationBooted(
                vendor=request.charge_point_vendor,
                model=request.charge_point_model,
                serial_number=request.charge_point_serial_number or request.charge_box_serial_number or "",
                firmware_version=request.firmware_version or "",
                registration_status=RegistrationStatus.accepted.value,
            )
        )
    )
    return call_result.BootNotification(
        current_time=ctx.now_iso(),
        interval=ctx.heartbeat_interval_s,
        status=RegistrationStatus.accepted,
    )
