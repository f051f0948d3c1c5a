"""Provisioning over HTTP: the boot policy read and set (PUT, and POST .../accept with the boot trigger), the boot
history with cursors, scopes and bad input."""

from __future__ import annotations

from csms.device_model.v1 import device_model_pb2 as dm
from csms.envelope.v1 import envelope_pb2
from csms_api.domain.keys import Scope
from csms_kernel.infra.envelopes import timestamp
from kit.builders.api import NOW, Api


async def test_a_station_never_set_shows_the_default(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/provisioning")
    assert answer.status_code == 200
    assert answer.json() == {
        "station_id": "CP-1",
        "boot_policy": "Accepted",
        "explicit": False,
        "updated_at": None,
        "registration_status": None,
        "booted_at": None,
    }


async def test_set_pending_then_accept_triggers_a_boot(api: Api) -> None:
    api.device_model.connect("CP-1", ocpp_version=envelope_pb2.OCPP_VERSION_201)
    async with await api.as_(Scope.OPERATE) as client:
        pending = await client.put(
            "/api/v1/stations/CP-1/provisioning", json={"boot_policy": "Pending", "trigger_boot": False}
        )
        accepted = await client.post("/api/v1/stations/CP-1/provisioning/accept")
    assert pending.status_code == 200
    assert pending.json()["provisioning"]["boot_policy"] == "Pending"
    assert pending.json()["trigger_command"] is None
    assert accepted.json()["provisioning"]["boot_policy"] == "Accepted"
    assert accepted.json()["trigger_command"]["command"] == "trigger-message"
    assert api.device_model.requests("set_station_provisioning") == [
        dm.SetStationProvisioningRequest(station_id="CP-1", boot_policy="Pending"),
        dm.SetStationProvisioningRequest(station_id="CP-1", boot_policy="Accepted", trigger_boot=True),
    ]


async def test_setting_needs_operate_and_a_known_policy(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        forbidden = await client.post("/api/v1/stations/CP-1/provisioning/accept")
    async with await api.as_(Scope.OPERATE) as client:
        unknown = await client.put("/api/v1/stations/CP-1/provisioning", json={"boot_policy": "Enabled"})
        extra = await client.put("/api/v1/stations/CP-1/provisioning", json={"boot_policy": "Pending", "x": 1})
    assert (forbidden.status_code, unknown.status_code, extra.status_code) == (403, 422, 422)
    assert api.device_model.requests("set_station_provisioning") == []


async def test_boot_history_pages_newest_first(api: Api) -> None:
    boots = [
        dm.StationBoot(
            booted_at=timestamp(NOW),
            message_id=f"m-{i}",
            ocpp_version=envelope_pb2.OCPP_VERSION_201,
            reason="PowerUp",
            firmware_version=f"1.{i}",
            vendor="ACME",
            model="DC-9",
            registration_status="Pending" if i else "Accepted",
        )
        for i in range(3)
    ]
    api.device_model.boots["CP-1"] = boots
    async with await api.as_(Scope.READ) as client:
        first = await client.get("/api/v1/stations/CP-1/boots?limit=2")
        second = await client.get(f"/api/v1/stations/CP-1/boots?limit=2&cursor={first.json()['next_cursor']}")
    assert [b["message_id"] for b in first.json()["items"]] == ["m-0", "m-1"]
    assert first.json()["items"][0] == {
        "booted_at": NOW.isoformat().replace("+00:00", "Z"),
        "message_id": "m-0",
        "ocpp_version": "2.0.1",
        "reason": "PowerUp",
        "firmware_version": "1.0",
        "vendor": "ACME",
        "model": "DC-9",
        "serial_number": None,
        "registration_status": "Accepted",
    }
    assert ([b["message_id"] for b in second.json()["items"]], second.json()["next_cursor"]) == (["m-2"], None)
