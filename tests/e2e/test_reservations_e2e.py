"""Reservations end to end, on a 1.6, a 2.0.1 and a 2.1 station: `reserve-now` through the API's commands route
(device-model sends ReserveNow, the station accepts, the authorization projector records it); on the reserved EVSE
another token's start is refused (1.6 Invalid, 2.x NotAtThisLocation) and the reserved token's accepted; a
reservation that expires frees its EVSE; a cancelled one too. Each probe presents a fresh token, so that no probe's
session makes a later one ConcurrentTx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import register, unique
from kit.stack import PASSWORD, connected
from kit.stations.ocpp_client import connected_station
from kit.waiting import eventually

pytestmark = pytest.mark.e2e

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
REFUSED = {V16: "Invalid", V201: "NotAtThisLocation", V21: "NotAtThisLocation"}


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


async def add_token(admin: httpx.AsyncClient, token: str) -> None:
    answer = await admin.post("/api/v1/tokens", json={"id_token": token, "type": "ISO14443"})
    assert answer.status_code == 201, answer.text


async def command(operator: httpx.AsyncClient, station_id: str, name: str, params: dict[str, Any]) -> dict[str, Any]:
    answer = await operator.post(
        f"/api/v1/stations/{station_id}/commands/{name}", json=params, params={"timeout_s": 15}
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def start_status(station: Any, version: OcppVersion, token: str, evse: int) -> str:
    """The decision on a session start with `token` on `evse` (1.6 StartTransaction, 2.x TransactionEvent)."""
    now = datetime.now(UTC)
    if version is V16:
        start = call16.StartTransaction(connector_id=evse, id_tag=token, meter_start=0, timestamp=iso(now))
        return str((await station.call(start)).id_tag_info["status"])
    started = station.calls.TransactionEvent(
        event_type="Started",
        timestamp=iso(now),
        trigger_reason="Authorized",
        seq_no=0,
        transaction_info={"transaction_id": unique("tx"), "charging_state": "Charging"},
        id_token={"id_token": token, "type": "ISO14443"},
        evse={"id": evse, "connector_id": 1},
    )
    return str((await station.call(started)).id_token_info["status"])


async def stranger(admin: httpx.AsyncClient, station: Any, version: OcppVersion, evse: int) -> str:
    """The decision on a start on `evse` by a fresh token (known, accepted, not the reserved one)."""
    token = unique("OTHER")
    await add_token(admin, token)
    return await start_status(station, version, token, evse)


@pytest.mark.parametrize("version", [V16, V201, V21], ids=lambda v: v.schema_dir)
async def test_only_the_reserved_token_starts_until_expiry_or_cancel(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion
) -> None:
    reserved = unique("RESERVED")
    await add_token(admin, reserved)
    station_id = await register(admin, f"E2E-RES-{version.schema_dir}")
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        until = iso(datetime.now(UTC) + timedelta(minutes=10))
        params = {"reservation_id": 1, "expires_at": until, "id_token": reserved, "evse_id": 1}
        assert (await command(operator, station_id, "reserve-now", params))["result"] == {"status": "accepted"}
        assert station.received.calls[-1][0] == "ReserveNow"
        await eventually(
            lambda: stranger(admin, station, version, 1),
            lambda status: status == REFUSED[version],
            what="another token refused on the reserved EVSE",
        )
        assert await stranger(admin, station, version, 2) == "Accepted"
        assert await start_status(station, version, reserved, 1) == "Accepted"

        soon = iso(datetime.now(UTC) + timedelta(seconds=8))
        params = {"reservation_id": 2, "expires_at": soon, "id_token": reserved, "evse_id": 3}
        assert (await command(operator, station_id, "reserve-now", params))["result"] == {"status": "accepted"}
        await eventually(
            lambda: stranger(admin, station, version, 3),
            lambda status: status == REFUSED[version],
            what="another token refused on the EVSE reserved briefly",
        )
        await eventually(
            lambda: stranger(admin, station, version, 3),
            lambda status: status == "Accepted",
            what="the expired reservation frees its EVSE",
        )
        cancelled = await command(operator, station_id, "cancel-reservation", {"reservation_id": 1})
        assert cancelled["result"] == {"status": "accepted"}
        await eventually(
            lambda: stranger(admin, station, version, 1),
            lambda status: status == "Accepted",
            what="the cancelled reservation frees its EVSE",
        )
