"""Provisioning end to end (docs/adr/0031) with a 1.6, a 2.0.1 and a 2.1 station (the `ocpp` package's clients):
a station whose boot policy is Pending boots Pending (with the retry interval), may not send other requests
(SecurityError from the edge) except what the CSMS asked for, has its configuration read while Pending (2.x
GetBaseReport with its NotifyReport; 1.6 GetConfiguration) into its inventory and set (the set-configuration
command), is accepted by the operator (`POST .../provisioning/accept`: TriggerMessage BootNotification, allowed
while Pending), boots again and is Accepted; its boots are listed newest first through the API and the CLI. A
Rejected station gets the retry interval, may send nothing but BootNotification and is sent nothing. A station
reconnecting (to another edge node) without booting again stays restricted by its last boot."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from ocpp.exceptions import SecurityError
from ocpp.v16 import call as call16
from ocpp.v21 import call as call21
from ocpp.v201 import call as call201

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import problem, register, send_command
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually, wait_until

pytestmark = pytest.mark.e2e

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
RETRY_INTERVAL_S = 45  # CSMS_DEVICE_MODEL_BOOT_RETRY_INTERVAL_S of the e2e stack
HEARTBEAT_INTERVAL_S = 60  # CSMS_DEVICE_MODEL_HEARTBEAT_INTERVAL_S of the e2e stack
SET_CONFIGURATION = {
    V16: {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": 120},
    V201: {"settings": [{"key": "MeterValueSampleInterval", "value": 30}]},
    V21: {"settings": [{"key": "MeterValueSampleInterval", "value": 30}]},
}


HEARTBEAT = {V16: call16.Heartbeat, V201: call201.Heartbeat, V21: call21.Heartbeat}


async def refused_heartbeat(station: Any, version: OcppVersion) -> str:
    """The SecurityError description the edge answered the station's Heartbeat with."""
    with pytest.raises(SecurityError) as error:
        await station.call(HEARTBEAT[version](), suppress=False)
    return str(error.value)


async def inventory(http: httpx.AsyncClient, station_id: str, component: str) -> list[dict[str, Any]]:
    answer = await http.get(f"/api/v1/stations/{station_id}/device-model", params={"component": component})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def read_its_configuration(http: httpx.AsyncClient, station: Any, station_id: str, version: OcppVersion) -> None:
    """While Pending: 2.x GetBaseReport, and the station's NotifyReport passes the edge (the CSMS asked for it);
    1.6 GetConfiguration. Either fills the station's inventory."""
    if version is V16:
        read = await send_command(http, station_id, "get-configuration", {})
        assert (read.status_code, read.json()["state"]) == (200, "answered"), read.text
        component, expected = "OCPP16", ("HeartbeatInterval", "300")
    else:
        read = await send_command(http, station_id, "get-base-report", {"report_base": "full_inventory"})
        assert (read.status_code, read.json()["result"]) == (200, {"status": "accepted"}), read.text
        part = station.calls.NotifyReport(
            request_id=read.json()["params"]["request_id"],
            generated_at="2026-12-06T12:00:00Z",
            seq_no=0,
            report_data=[
                {
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "variable_attribute": [{"type": "Actual", "value": "300", "mutability": "ReadWrite"}],
                }
            ],
        )
        await station.call(part, suppress=False)
        component, expected = "OCPPCommCtrlr", ("HeartbeatInterval", "300")
    found = await eventually(
        lambda: inventory(http, station_id, component), lambda items: len(items) > 0, what="the inventory"
    )
    assert expected in {(item["variable"], item["value"]) for item in found}


async def registration(http: httpx.AsyncClient, station_id: str) -> str | None:
    found = (await http.get(f"/api/v1/stations/{station_id}/provisioning")).json()
    status: str | None = found["registration_status"]
    return status


@pytest.mark.parametrize("version", [V16, V201, V21])
async def test_pending_configured_then_accepted(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, cli: Cli, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-PROV-{version.schema_dir}")
    policy = {"boot_policy": "Pending", "trigger_boot": False}
    assert (await operator.put(f"/api/v1/stations/{station_id}/provisioning", json=policy)).status_code == 200
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        booted = await station.boot()
        assert (booted.status, booted.interval) == ("Pending", RETRY_INTERVAL_S)
        await connected(stack, station_id)
        assert "boot Pending" in await refused_heartbeat(station, version)

        await read_its_configuration(operator, station, station_id, version)
        configured = await send_command(operator, station_id, "set-configuration", SET_CONFIGURATION[version])
        assert (configured.status_code, configured.json()["state"]) == (200, "answered"), configured.text
        if version is V16:
            assert station.configuration["HeartbeatInterval"] == "120"
        else:
            assert station.variables[("SampledDataCtrlr", "TxUpdatedInterval")] == "30"
        triggered = await send_command(operator, station_id, "trigger-message", {"message": "heartbeat"})
        assert triggered.json()["result"] == {"status": "accepted"}, triggered.text
        assert (await station.heartbeat()) is not None  # asked for by the CSMS: passes

        await eventually(lambda: registration(operator, station_id), lambda s: s == "Pending", what="Pending")
        station.received.calls.clear()
        accepted = await operator.post(f"/api/v1/stations/{station_id}/provisioning/accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["trigger_command"]["command"] == "trigger-message"
        trigger = ("TriggerMessage", {"requestedMessage": "BootNotification"})
        await wait_until(lambda: trigger in station.received.calls, timeout_s=15)
        again = await station.boot()
        assert (again.status, again.interval) == ("Accepted", HEARTBEAT_INTERVAL_S)
        assert (await station.heartbeat()) is not None

    await eventually(lambda: registration(operator, station_id), lambda s: s == "Accepted", what="Accepted")
    boots = await eventually(
        lambda: operator.get(f"/api/v1/stations/{station_id}/boots"),
        lambda answer: len(answer.json()["items"]) == 2,
        what="two boots listed",
    )
    assert [b["registration_status"] for b in boots.json()["items"]] == ["Accepted", "Pending"]
    assert {b["ocpp_version"] for b in boots.json()["items"]} == {{V16: "1.6", V201: "2.0.1", V21: "2.1"}[version]}
    listed = await asyncio.to_thread(cli, "provisioning", "boots", station_id, "--json")
    assert [b["registration_status"] for b in json.loads(listed.stdout)] == ["Accepted", "Pending"], listed.stderr


async def test_rejected_station_sends_and_is_sent_nothing(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-PROV-REJ")
    policy = {"boot_policy": "Rejected"}
    assert (await operator.put(f"/api/v1/stations/{station_id}/provisioning", json=policy)).status_code == 200
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        booted = await station.boot()
        assert (booted.status, booted.interval) == ("Rejected", RETRY_INTERVAL_S)
        await connected(stack, station_id)
        assert "boot Rejected" in await refused_heartbeat(station, V201)
        await eventually(lambda: registration(operator, station_id), lambda s: s == "Rejected", what="Rejected")
        assert "Rejected" in problem(await send_command(operator, station_id, "clear-cache", {}), 409)["detail"]
        assert station.received.calls == []
        accepted = await operator.post(f"/api/v1/stations/{station_id}/provisioning/accept")
        assert accepted.json()["trigger_command"] is None  # a Rejected station is not asked: it retries by itself
        assert (await station.boot()).status == "Accepted"


@pytest.mark.parametrize(("version", "policy"), [(V16, "Pending"), (V21, "Rejected")])
async def test_a_station_reconnecting_without_booting_keeps_its_restrictions(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion, policy: str
) -> None:
    station_id = await register(admin, f"E2E-PROV-RECONNECT-{version.schema_dir}")
    assert (await operator.put(f"/api/v1/stations/{station_id}/provisioning", json={"boot_policy": policy})).is_success
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == policy
    await eventually(lambda: registration(operator, station_id), lambda s: s == policy, what=policy)
    async with connected_station(stack.config.edge_url(1), station_id, PASSWORD, version) as station:
        await connected(stack, station_id)  # on another edge node, and no BootNotification (OCPP-J reconnect)
        assert f"boot {policy}" in await refused_heartbeat(station, version)
