"""BootNotification cases shared by the 2.0.1 and 2.1 tests (`v201/test_boot_notification.py`,
`v21/test_boot_notification.py`, which give the version's `action`): Accepted with the heartbeat interval and a
StationBooted event; Pending and Rejected by the station's boot policy with the retry interval (docs/adr/0031);
new stations get the default policy."""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.provisioning import BootPolicy
from kit.builders.device_model import NOW, NOW_ISO, SETTINGS, expected_event, make_context
from kit.fakes.device_model import InMemoryProvisioning
from unit.device_model.ocpp.actions import Action


async def test_accepts_and_records_the_boot(action: Action) -> None:
    ctx = make_context(action.version)
    request = action.call.BootNotification(
        charging_station={"vendor_name": "ACME", "model": "DC-9", "serial_number": "SN9", "firmware_version": "3"},
        reason="PowerUp",
    )
    response = await action.module.handle(ctx, request)
    assert response == action.call_result.BootNotification(current_time=NOW_ISO, interval=300, status="Accepted")
    booted = device_model_pb2.StationBooted(
        vendor="ACME",
        model="DC-9",
        serial_number="SN9",
        firmware_version="3",
        reason="PowerUp",
        registration_status="Accepted",
    )
    assert ctx.emitted.events == [expected_event(action.version, station_booted=booted)]


async def test_a_station_set_pending_is_answered_pending_with_the_retry_interval(action: Action) -> None:
    provisioning = InMemoryProvisioning(policies={"CS-1": (BootPolicy.PENDING, NOW)})
    ctx = make_context(action.version, provisioning=provisioning)
    request = action.call.BootNotification(
        charging_station={"vendor_name": "ACME", "model": "DC-9", "firmware_version": "4"}, reason="FirmwareUpdate"
    )
    response = await action.module.handle(ctx, request)
    assert response == action.call_result.BootNotification(current_time=NOW_ISO, interval=60, status="Pending")
    booted = device_model_pb2.StationBooted(
        vendor="ACME", model="DC-9", firmware_version="4", reason="FirmwareUpdate", registration_status="Pending"
    )
    assert ctx.emitted.events == [expected_event(action.version, station_booted=booted)]
    assert provisioning.reads == 1


async def test_a_rejected_station_is_answered_rejected_with_the_retry_interval(action: Action) -> None:
    provisioning = InMemoryProvisioning(policies={"CS-1": (BootPolicy.REJECTED, NOW)})
    settings = SETTINGS.model_copy(update={"boot_retry_interval_s": 120})
    ctx = make_context(action.version, provisioning=provisioning, settings=settings)
    request = action.call.BootNotification(charging_station={"vendor_name": "ACME", "model": "DC-9"}, reason="PowerUp")
    response = await action.module.handle(ctx, request)
    assert response == action.call_result.BootNotification(current_time=NOW_ISO, interval=120, status="Rejected")
    assert ctx.emitted.events[0].station_booted.registration_status == "Rejected"


async def test_new_stations_get_the_default_policy_and_an_accepted_one_is_accepted(action: Action) -> None:
    settings = SETTINGS.model_copy(update={"new_station_boot_policy": "Pending"})
    request = action.call.BootNotification(charging_station={"vendor_name": "ACME", "model": "DC-9"}, reason="PowerUp")
    fresh = await action.module.handle(make_context(action.version, settings=settings), request)
    assert fresh.status == "Pending" and fresh.interval == 60
    accepted = InMemoryProvisioning(policies={"CS-1": (BootPolicy.ACCEPTED, NOW)})
    known = await action.module.handle(make_context(action.version, settings=settings, provisioning=accepted), request)
    assert known.status == "Accepted" and known.interval == 300
