from __future__ import annotations

from ocpp.v16 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.v16 import boot_notification
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW_ISO, expected_event, make_context


async def test_accepts_and_records_the_boot() -> None:
    ctx = make_context(OcppVersion.V16)
    request = call.BootNotification(
        charge_point_vendor="ACME", charge_point_model="AC-1", charge_box_serial_number="SN1", firmware_version="1.2"
    )
    response = await boot_notification.handle(ctx, request)
    assert response == call_result.BootNotification(current_time=NOW_ISO, interval=300, status="Accepted")
    booted = device_model_pb2.StationBooted(
        vendor="ACME", model="AC-1", serial_number="SN1", firmware_version="1.2", registration_status="Accepted"
    )
    assert ctx.emitted.events == [expected_event(OcppVersion.V16, station_booted=booted)]
