from __future__ import annotations

from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.provisioning import BootPolicy
from csms_device_model.ocpp.v201 import boot_notification
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, NOW_ISO, SETTINGS, expected_event, make_context
from kit.fakes.device_model import InMemoryProvisioning

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


async def test_a_station_set_pending_is_answered_pending_with_the_retry_interval() -> None:
    provisioning = InMemoryProvisioning(policies={"CS-1": (BootPolicy.PENDING, NOW)})
    ctx = make_context(VERSION, provisioning=provisioning)
    request = call.BootNotification(
        charging_station={"vendor_name": "ACME", "model": "DC-9", "firmware_version": "4"}, reason="FirmwareUpdate"
    )
    response = await boot_notification.handle(ctx, request)
    assert response == call_result.BootNotification(current_time=NOW_ISO, interval=60, status="Pending")
    booted = device_model_pb2.StationBooted(
        vendor="ACME", model="DC-9", firmware_version="4", reason="FirmwareUpdate", registration_status="Pending"
    )
    assert ctx.emitted.events == [expected_event(VERSION, station_booted=booted)]
    assert provisioning.reads == 1


async def test_a_rejected_station_is_answered_rejected_with_the_retry_interval() -> None:
    provisioning = InMemoryProvisioning(policies={"CS-1": (BootPolicy.REJECTED, NOW)})
    settings = SETTINGS.model_copy(update={"boot_retry_interval_s": 120})
    ctx = make_context(VERSION, provisioning=provisioning, settings=settings)
    request = call.BootNotification(charging_station={"vendor_name": "ACME", "model": "DC-9"}, reason="PowerUp")
    response = await boot_notification.handle(ctx, request)
    assert response == call_result.BootNotification(current_time=NOW_ISO, interval=120, status="Rejected")
    assert ctx.emitted.events[0].station_booted.registration_status == "Rejected"


async def test_new_stations_get_the_default_policy_and_an_accepted_one_is_accepted() -> None:
    settings = SETTINGS.model_copy(update={"new_station_boot_policy": "Pending"})
    request = call.BootNotification(charging_station={"vendor_name": "ACME", "model": "DC-9"}, reason="PowerUp")
    fresh = await boot_notification.handle(make_context(VERSION, settings=settings), request)
    assert fresh.status == "Pending" and fresh.interval == 60
    accepted = InMemoryProvisioning(policies={"CS-1": (BootPolicy.ACCEPTED, NOW)})
    known = await boot_notification.handle(make_context(VERSION, settings=settings, provisioning=accepted), request)
    assert known.status == "Accepted" and known.interval == 300
