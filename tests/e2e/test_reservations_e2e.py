"""Reservations end to end, on a 1.6, a 2.0.1 and a 2.1 station, made two ways:
- `reserve-now` through the API's commands route (device-model sends ReserveNow, the station accepts, the
  authorization projector records it);
- `POST /api/v1/reservations` (the authorization service gives the id, refuses an EVSE already reserved, sends
  ReserveNow through device-model and waits), `DELETE /api/v1/reservations/{id}` to cancel, the station view showing
  Reserved, clear 4xx for bad requests, an offline or unknown station and a station that refuses.
On the reserved EVSE another token's start is refused (1.6 Invalid, 2.x NotAtThisLocation) and the reserved token's
accepted (which uses the reservation up, though the start does not name it); a reservation that expires frees its
EVSE; a cancelled one too. Each probe presents a fresh token, so that no probe's session makes a later one
ConcurrentTx."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from ocpp.v16 import call as call16

from csms_devtools.stack import Stack
from csms_kernel.ocpp.versions import OcppVersion
from kit.api import command, register, unique
from kit.stack import PASSWORD, connected, get_station
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


async def reserve(operator: httpx.AsyncClient, station_id: str, **fields: Any) -> httpx.Response:
    body = {"station_id": station_id, "expires_at": iso(datetime.now(UTC) + timedelta(minutes=10)), **fields}
    return await operator.post("/api/v1/reservations", json=body, params={"timeout": 15})


async def report_available(station: Any, version: OcppVersion, evse: int) -> None:
    if version is V16:
        await station.call(call16.StatusNotification(connector_id=evse, error_code="NoError", status="Available"))
        return
    available = station.calls.StatusNotification(
        timestamp=iso(datetime.now(UTC)), connector_status="Available", evse_id=evse, connector_id=1
    )
    await station.call(available)


async def reservation_status(operator: httpx.AsyncClient, reservation_id: str) -> str:
    answer = await operator.get(f"/api/v1/reservations/{reservation_id}")
    assert answer.status_code == 200, answer.text
    return str(answer.json()["status"])


async def connector_view(operator: httpx.AsyncClient, station_id: str, evse: int) -> tuple[str, str | None]:
    answer = await operator.get(f"/api/v1/stations/{station_id}")
    found = [c for c in answer.json()["connectors"] if c["evse_id"] == evse]
    return (found[0]["status"], found[0]["reserved_by"]) if found else ("", None)


@pytest.mark.parametrize("version", [V16, V201, V21], ids=lambda v: v.schema_dir)
async def test_reservations_through_the_api(
    stack: Stack, admin: httpx.AsyncClient, operator: httpx.AsyncClient, version: OcppVersion
) -> None:
    reserved = unique("RESERVED")
    await add_token(admin, reserved)
    station_id = await register(admin, f"E2E-RESAPI-{version.schema_dir}")
    unknown = await reserve(operator, unique("E2E-NOWHERE"), id_token=reserved, evse_id=1)
    assert unknown.status_code == 404, unknown.text
    async with connected_station(stack.config.edge_url(0), station_id, PASSWORD, version) as station:
        assert (await station.boot()).status == "Accepted"
        await connected(stack, station_id)
        await report_available(station, version, 1)
        await eventually(lambda: connector_view(operator, station_id, 1), lambda v: v == ("Available", None))

        made = await reserve(operator, station_id, id_token=reserved, evse_id=1)
        assert made.status_code == 201, made.text
        first = made.json()
        assert (first["id"], first["status"], first["evse_id"]) == (f"{station_id}:1", "Accepted", 1)
        assert made.headers["Location"] == f"/api/v1/reservations/{station_id}:1"
        assert station.received.calls[-1][0] == "ReserveNow"
        assert await connector_view(operator, station_id, 1) == ("Reserved", first["id"])

        taken = await reserve(operator, station_id, id_token=unique("OTHER"), evse_id=1)
        assert taken.status_code == 409 and f"EVSE 1 of {station_id} is reserved" in taken.json()["detail"]
        whole = await reserve(operator, station_id, id_token=unique("OTHER"))
        assert whole.status_code == 409, whole.text
        past = await reserve(operator, station_id, id_token=reserved, evse_id=2, expires_at="2020-01-01T00:00:00Z")
        assert past.status_code == 422 and past.json()["errors"][0]["field"] == "body.expires_at"
        if version is V16:
            typed = await reserve(operator, station_id, id_token=reserved, evse_id=2, connector_type="cType2")
            assert typed.status_code == 422, typed.text

        assert await stranger(admin, station, version, 1) == REFUSED[version]
        assert await stranger(admin, station, version, 2) == "Accepted"
        assert await start_status(station, version, reserved, 1) == "Accepted"
        await eventually(
            lambda: reservation_status(operator, first["id"]),
            lambda status: status == "Used",
            what="the start admitted by the reservation (not naming it) uses it up",
        )
        assert await stranger(admin, station, version, 1) == "Accepted"

        soon = iso(datetime.now(UTC) + timedelta(seconds=12))
        brief = await reserve(operator, station_id, id_token=reserved, evse_id=3, expires_at=soon)
        assert brief.status_code == 201, brief.text
        assert await stranger(admin, station, version, 3) == REFUSED[version]
        await eventually(
            lambda: stranger(admin, station, version, 3),
            lambda status: status == "Accepted",
            timeout_s=45,
            what="the expired reservation frees its EVSE",
        )
        assert await reservation_status(operator, brief.json()["id"]) == "Expired"

        key = {"Idempotency-Key": unique("op")}
        body = {"station_id": station_id, "id_token": reserved, "evse_id": 4}
        body["expires_at"] = iso(datetime.now(UTC) + timedelta(minutes=10))
        held = await operator.post("/api/v1/reservations", json=body, headers=key)
        sent = len(station.received.calls)
        repeated = await operator.post("/api/v1/reservations", json=body, headers=key)
        assert (repeated.status_code, repeated.json()["id"], len(station.received.calls)) == (
            201,
            held.json()["id"],
            sent,
        )
        assert await stranger(admin, station, version, 4) == REFUSED[version]
        cancelled = await operator.delete(f"/api/v1/reservations/{held.json()['id']}")
        assert (cancelled.status_code, cancelled.json()["status"]) == (200, "Cancelled"), cancelled.text
        assert station.received.calls[-1][0] == "CancelReservation"
        assert await stranger(admin, station, version, 4) == "Accepted"

        station.reserve_status = "Occupied"
        refused = await reserve(operator, station_id, id_token=reserved, evse_id=5)
        assert refused.status_code == 409 and refused.json()["detail"].endswith(": Occupied"), refused.text
        listed = await operator.get(f"/api/v1/stations/{station_id}/reservations")
        # newest first; on 1.6 the connector-type request device-model refused was recorded Refused (id 2)
        statuses = ["Refused", "Cancelled", "Expired", *(["Refused"] if version is V16 else []), "Used"]
        assert [r["status"] for r in listed.json()["items"]] == statuses

    async def offline() -> int:
        seen = await get_station(stack, station_id)
        if seen is None or seen.connected:
            return 0
        return (await reserve(operator, station_id, id_token=reserved, evse_id=6)).status_code

    assert await eventually(offline, lambda code: code != 0, what="the station seen offline") == 409
