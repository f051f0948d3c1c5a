"""OCPP 2.0.1 BootNotification: accept the station, tell it the heartbeat interval, record the boot (the
recording is shared with 2.1, whose message has the same fields)."""

from __future__ import annotations

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result
from ocpp.v201.enums import RegistrationStatusEnumType

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext


async def handle(ctx: DeviceModelContext, request: call.BootNotification) -> call_result.BootNotification:
    record_boot(ctx, request)
    return call_result.BootNotification(
        current_time=ctx.now_iso(),
        interval=ctx.heartbeat_interval_s,
        status=RegistrationStatusEnumType.accepted,
    )


def record_boot(ctx: DeviceModelContext, request: call.BootNotification | v21_call.BootNotification) -> None:
    """Emits StationBooted for an accepted 2.x boot."""
    station = request.charging_station
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            station_booted=device_model_pb2.StationBooted(
                vendor=station["vendor_name"],
                model=station["model"],
                serial_number=station.get("serial_number", ""),
                firmware_version=station.get("firmware_version", ""),
                reason=request.reason,
                registration_status=RegistrationStatusEnumType.accepted.value,
            )
        )
    )
