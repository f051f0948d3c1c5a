from __future__ import annotations

from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.v201 import boot_notification
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW_ISO, expected_event, make_context

VERSION = OcppVersion.V201


async def test_accepts_and_records_the_boot() -> None:
    ctx = make_context(VERSION)
    request = call.BootNotification(
        charging_station={"vendor_name": "ACME", "model": "DC-9", "serial_number": "SN9", "firmware_version": "3"},
        reason="PowerUp",
    )
    response = await boot_notification.handle(ctx, request)
    assert response == call_result.BootNotification(current_time=NOW_ISO, interval=300, status="Accepted")
    booted = device_model_pb2.StationBooted(
        vendor="ACME",
        model="DC-9",
        serial_number="SN9",
        firmware_version="3",
        reason="PowerUp",
        registration_status="Accepted",
    )
    assert ctx.emitted.events == [expected_event(VERSION, station_booted=booted)]
