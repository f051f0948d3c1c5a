"""OCPP 2.0.1 BootNotification: answer Accepted, Pending or Rejected by the station's boot policy (docs/adr/0031;
Accepted carries the heartbeat interval, the others the retry interval), and record the boot with its reason and
answer (the recording is shared with 2.1, whose message has the same fields)."""

from __future__ import annotations

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result
from ocpp.v201.enums import RegistrationStatusEnumType

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.provisioning import BootAnswer
from csms_device_model.ocpp.context import DeviceModelContext


async def handle(ctx: DeviceModelContext, request: call.BootNotification) -> call_result.BootNotification:
    answer = await ctx.boot_answer()
    record_boot(ctx, request, answer)
    return call_result.BootNotification(
        current_time=ctx.now_iso(),
        interval=answer.interval_s,
        status=RegistrationStatusEnumType(answer.status.value),
    )


def record_boot(
    ctx: DeviceModelContext, request: call.BootNotification | v21_call.BootNotification, answer: BootAnswer
) -> None:
    """Emits StationBooted for a 2.x boot, with the status it is answered with."""
    station = request.charging_station
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            station_booted=device_model_pb2.StationBooted(
                vendor=station["vendor_name"],
                model=station["model"],
                serial_number=station.get("serial_number", ""),
                firmware_version=station.get("firmware_version", ""),
                reason=request.reason,
                registration_status=answer.status.value,
            )
        )
    )
