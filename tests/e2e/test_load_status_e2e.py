"""Connector statuses as a load-management input end to end (docs/adr/0042 "Session 10"): a site of a 1.6 and a
2.0.1 station (one EVSE each) at 32 A with a session on each shares 16/16 A; a 1.6 connector reporting Faulted is
paused (0 A) and its share goes to the other EVSE, visibly in `GET /api/v1/sites/{id}/allocation` and in the
TxProfiles the stations receive; Charging again brings the 16/16 back; the same with a 2.0.1 connector reporting
Unavailable, then Occupied."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import register, unique
from kit.stack import PASSWORD, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201 = OcppVersion.V16, OcppVersion.V201


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def tx_limits(station: Any) -> list[float]:
    """The limits of the TxProfiles the station received, in order."""
    found = []
    for name, payload in station.received.calls:
        if name != "SetChargingProfile":
            continue
        profile = payload["profile"]
        if profile["charging_profile_purpose"] == "TxProfile":
            schedule = profile["charging_schedule"]  # 1.6: one schedule; 2.x: a list
            schedule = schedule[0] if isinstance(schedule, list) else schedule
            found.append(float(schedule["charging_schedule_period"][0]["limit"]))
    return found


async def received(station: Any) -> list[str]:
    return [name for name, _ in station.received.calls]


async def status16(station: Any, status: str) -> None:
    error = "GroundFailure" if status == "Faulted" else "NoError"
    await station.call(call16.StatusNotification(connector_id=1, error_code=error, status=status))


async def status201(station: Any, status: str) -> None:
    await station.call(
        call201.StatusNotification(timestamp=iso(datetime.now(UTC)), connector_status=status, evse_id=1, connector_id=1)
    )


async def test_a_faulted_or_unavailable_connector_gives_its_share_away_until_it_is_back(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient
) -> None:
    token = unique("LS")
    answer = await admin.post("/api/v1/tokens", json={"id_token": token, "type": "ISO14443"})
    assert answer.status_code == 201, answer.text
    id16, id201 = await register(admin, "E2E-LS16"), await register(admin, "E2E-LS201")
    url = stack.config.edge_url(0)
    async with (
        connected_station(url, id16, PASSWORD, V16) as one,
        connected_station(url, id201, PASSWORD, V201) as two,
    ):
        boot16 = call16.BootNotification(charge_point_vendor="ACME", charge_point_model="AC-16")
        assert (await one.call(boot16)).status == "Accepted"
        boot201 = call201.BootNotification(charging_station={"vendor_name": "ACME", "model": "AC-2"}, reason="PowerUp")
        assert (await two.call(boot201)).status == "Accepted"
        await connected(stack, id16)
        await connected(stack, id201)

        site_id = unique("ls-site")
        definition = {
            "limit": 32,
            "evses": [
                {"station_id": id16, "evse_id": 1, "min_a": 6, "max_a": 32},
                {"station_id": id201, "evse_id": 1, "min_a": 6, "max_a": 32},
            ],
        }
        put = await operator.put(f"/api/v1/sites/{site_id}", json=definition)
        assert put.status_code == 200, put.text
        for station in (one, two):
            await eventually(
                lambda s=station: received(s), lambda names: "SetChargingProfile" in names, what="TxDefaultProfile"
            )

        await status16(one, "Preparing")
        start = call16.StartTransaction(connector_id=1, id_tag=token, meter_start=0, timestamp=iso(datetime.now(UTC)))
        assert (await one.call(start)).id_tag_info["status"] == "Accepted"
        await status16(one, "Charging")
        await status201(two, "Occupied")
        started = call201.TransactionEvent(
            event_type="Started",
            timestamp=iso(datetime.now(UTC)),
            trigger_reason="CablePluggedIn",
            seq_no=0,
            transaction_info={"transaction_id": unique("tx"), "charging_state": "Charging"},
            evse={"id": 1, "connector_id": 1},
        )
        await two.call(started)

        async def allocation() -> dict[str, tuple[float, bool]]:
            answer = await operator.get(f"/api/v1/sites/{site_id}/allocation")
            assert answer.status_code == 200, answer.text
            return {e["station_id"]: (e["limit_a"], e["paused"]) for e in answer.json()["evses"]}

        sharing = {id16: (16.0, False), id201: (16.0, False)}
        await eventually(allocation, lambda found: found == sharing, what="16/16 A")

        await status16(one, "Faulted")
        await eventually(
            allocation, lambda found: found == {id16: (0.0, True), id201: (32.0, False)}, what="1.6 EVSE out"
        )
        assert tx_limits(one)[-1] == 0.0 and tx_limits(two)[-1] == 32.0
        await status16(one, "Charging")
        await eventually(allocation, lambda found: found == sharing, what="1.6 EVSE back")
        assert tx_limits(one)[-1] == 16.0 and tx_limits(two)[-1] == 16.0

        await status201(two, "Unavailable")
        await eventually(
            allocation, lambda found: found == {id16: (32.0, False), id201: (0.0, True)}, what="2.0.1 EVSE out"
        )
        await status201(two, "Occupied")
        await eventually(allocation, lambda found: found == sharing, what="2.0.1 EVSE back")
        assert (await operator.delete(f"/api/v1/sites/{site_id}")).status_code == 204
