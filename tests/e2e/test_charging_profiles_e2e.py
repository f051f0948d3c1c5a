"""Charging profiles end to end (docs/adr/0041), through the HTTP API to a 1.6 and a 2.0.1 station
(tests/kit/stations): a ChargingStationMaxProfile set through the API reaches the station once in its version's
shape, the station's answer makes it installed in the view (API and `csms charging-profiles show`), another
profile in its slot is refused naming it, a 2.0.1 station's NotifyChargingLimit shows in the reports, and after the
station boots again the smart-charging service installs the profile again; a 2.0.1 EV's charging needs get a
TxProfile for its transaction."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import register
from kit.stack import PASSWORD, Cli, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201 = OcppVersion.V16, OcppVersion.V201
PROFILE = {
    "id": 11,
    "stack_level": 0,
    "purpose": "ChargingStationMaxProfile",
    "kind": "Absolute",
    "schedules": [{"id": 1, "charging_rate_unit": "A", "periods": [{"start_period": 0, "limit": 32}]}],
}


async def boot(station: Any, version: OcppVersion) -> None:
    if version is V16:
        request: Any = call16.BootNotification(charge_point_vendor="ACME", charge_point_model="AC-16")
    else:
        request = call201.BootNotification(charging_station={"vendor_name": "ACME", "model": "DC-2"}, reason="PowerUp")
    assert (await station.call(request)).status == "Accepted"


async def profiles_set(station: Any) -> list[dict[str, Any]]:
    return [payload for name, payload in station.received.calls if name == "SetChargingProfile"]


async def view(http: httpx.AsyncClient, station_id: str) -> dict[str, Any]:
    answer = await http.get(f"/api/v1/stations/{station_id}/charging-profiles")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


@pytest.mark.parametrize("version", [V16, V201])
async def test_a_profile_set_shown_and_reinstalled_after_a_boot(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, cli: Cli, version: OcppVersion
) -> None:
    station_id = await register(admin, f"E2E-SC-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        await boot(station, version)
        await connected(stack, station_id)

        headers = {"Idempotency-Key": f"max-{station_id}"}
        for _ in range(2):
            answer = await operator.post(
                f"/api/v1/stations/{station_id}/charging-profiles",
                json={"evse_id": 0, "profile": PROFILE},
                headers=headers,
            )
            assert answer.status_code == 202, answer.text
        [sent] = await eventually(lambda: profiles_set(station), bool, what="SetChargingProfile at the station")
        if version is V16:
            assert (sent["connectorId"], sent["profile"]["charging_profile_purpose"]) == (0, "ChargePointMaxProfile")
        else:
            assert (sent["evseId"], sent["profile"]["charging_profile_purpose"]) == (0, "ChargingStationMaxProfile")

        shown = await eventually(
            lambda: view(operator, station_id), lambda v: bool(v["installed"]), what="the profile installed"
        )
        assert [(p["profile_id"], p["purpose"], p["profile"]) for p in shown["installed"]] == [
            (11, "ChargingStationMaxProfile", PROFILE)
        ]
        assert [(r["state"], r["result"]) for r in shown["requests"]] == [("ANSWERED", {"status": "accepted"})]
        clash = await operator.post(
            f"/api/v1/stations/{station_id}/charging-profiles", json={"evse_id": 0, "profile": {**PROFILE, "id": 12}}
        )
        assert clash.status_code == 409 and "profile 11" in clash.text, clash.text
        result = await asyncio.to_thread(cli, "charging-profiles", "show", station_id, "--json")
        assert result.returncode == 0, result.stderr
        assert [p["profile_id"] for p in json.loads(result.stdout)["installed"]] == [11]

        if version is V201:
            await station.call(call201.NotifyChargingLimit(charging_limit={"charging_limit_source": "EMS"}, evse_id=1))
            reports = await eventually(
                lambda: view(operator, station_id), lambda v: bool(v["reports"]), what="the limit reported"
            )
            assert [(r["action"], r["evse_id"]) for r in reports["reports"]] == [("NotifyChargingLimit", 1)]

        await boot(station, version)
        again = await eventually(
            lambda: profiles_set(station), lambda found: len(found) == 2, what="the profile reinstalled"
        )
        assert again[1]["profile"] == sent["profile"]
        reinstalled = await eventually(
            lambda: view(operator, station_id),
            lambda v: any(r["request"]["origin"] == "reinstall" for r in v["requests"]),
            what="the reinstall recorded",
        )
        assert [p["profile_id"] for p in reinstalled["installed"]] == [11]


async def active_transactions(http: httpx.AsyncClient, station_id: str) -> list[dict[str, Any]]:
    answer = await http.get("/api/v1/transactions", params={"station_id": station_id, "active": "true"})
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_ev_charging_needs_get_a_tx_profile(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    station_id = await register(admin, "E2E-SC-NEEDS")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, V201) as station:
        await boot(station, V201)
        await connected(stack, station_id)
        started = call201.TransactionEvent(
            event_type="Started",
            timestamp="2026-12-06T12:00:00Z",
            trigger_reason="CablePluggedIn",
            seq_no=0,
            transaction_info={"transaction_id": "e2e-needs-1", "charging_state": "EVConnected"},
            evse={"id": 1, "connector_id": 1},
        )
        await station.call(started)
        await eventually(lambda: active_transactions(operator, station_id), bool, what="the transaction active")

        needs = {
            "requested_energy_transfer": "AC_three_phase",
            "ac_charging_parameters": {
                "energy_amount": 20000,
                "ev_min_current": 6,
                "ev_max_current": 16,
                "ev_max_voltage": 400,
            },
        }
        answer = await station.call(call201.NotifyEVChargingNeeds(charging_needs=needs, evse_id=1))
        assert answer.status == "Accepted"
        [sent] = await eventually(lambda: profiles_set(station), bool, what="the TxProfile at the station")
        profile = sent["profile"]
        assert (sent["evseId"], profile["charging_profile_purpose"], profile["transaction_id"]) == (
            1,
            "TxProfile",
            "e2e-needs-1",
        )
        assert profile["charging_schedule"][0]["charging_schedule_period"] == [{"start_period": 0, "limit": 16.0}]
        shown = await eventually(
            lambda: view(operator, station_id), lambda v: bool(v["installed"]), what="the TxProfile installed"
        )
        assert [(p["evse_id"], p["purpose"]) for p in shown["installed"]] == [(1, "TxProfile")]
        assert [r["request"]["origin"] for r in shown["requests"]] == ["ev_needs"]
