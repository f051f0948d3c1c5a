"""A simulated station's reservations on every version: ReserveNow / CancelReservation answered schema-valid,
the Reserved status, only the reserved token (or its group) starting there, and expiry (2.x
ReservationStatusUpdate)."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Behaviour, Mix, State
from loadtest.simulator.reservations import Reservations

AT = "2026-12-06T12:00:00.000Z"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
EXPIRY = "2026-12-06T12:05:00.000Z"
V16 = OcppVersion.V16
VERSIONS = list(OcppVersion)


class FakeStation:
    def __init__(self, version: OcppVersion) -> None:
        self.version = version
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        validate(self.version, action, MessageKind.REQUEST, payload)
        self.calls.append((action, payload))
        return {}

    async def reboot(self, reason: str) -> None:
        raise AssertionError("no reboot expected")

    def statuses(self) -> list[str]:
        return [p.get("status") or p.get("connectorStatus") or p["reservationUpdateStatus"] for _, p in self.calls]


class Clock:
    """A sleep that returns once the test releases it (the expiry timer)."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.release = asyncio.Event()

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        await self.release.wait()


def reserve_now(
    version: OcppVersion, reservation_id: int, token: str, *, evse: int = 1, group: str | None = None
) -> Any:
    if version is V16:
        payload: dict[str, Any] = {
            "connectorId": evse,
            "expiryDate": EXPIRY,
            "idTag": token,
            "reservationId": reservation_id,
        }
        if group:
            payload["parentIdTag"] = group
    else:
        payload = {"id": reservation_id, "expiryDateTime": EXPIRY, "idToken": {"idToken": token, "type": "ISO14443"}}
        payload["evseId"] = evse
        if group:
            payload["groupIdToken"] = {"idToken": group, "type": "Central"}
    validate(version, "ReserveNow", MessageKind.REQUEST, payload)
    return payload


def ask(agent: Reservations, action: str, payload: dict[str, Any], station: FakeStation) -> str:
    answered = agent.answer(action, payload, AT)
    assert answered is not None
    result, start = answered
    validate(agent.version, action, MessageKind.RESPONSE, result)
    start(station)
    status: str = result["status"]
    return status


def station_with(
    version: OcppVersion, token: str = "SIMTAG000001", clock: Clock | None = None
) -> tuple[Behaviour, Reservations]:
    behaviour = Behaviour(
        "SIM-000001", version, token, Mix(start_probability=1.0, status_probability=0.0), random.Random(1)
    )
    reservations = Reservations(version, status_of=behaviour.connector_status, sleep=(clock or Clock()).sleep)
    behaviour.reservations = reservations
    return behaviour, reservations


async def settle() -> None:
    """Lets the started jobs send what they send before waiting."""
    for _ in range(5):
        await asyncio.sleep(0)


@pytest.mark.parametrize("version", VERSIONS)
async def test_only_the_reserved_token_starts_and_the_session_ends_the_reservation(version: OcppVersion) -> None:
    behaviour, reservations = station_with(version)
    station = FakeStation(version)
    assert ask(reservations, "ReserveNow", reserve_now(version, 7, "SOMEONE-ELSE"), station) == "Accepted"
    await settle()
    assert station.statuses() == ["Reserved"]
    assert behaviour.next_message(AT)[0] == "Authorize"  # another driver's token
    behaviour.on_result({"idTagInfo": {"status": "Accepted"}, "idTokenInfo": {"status": "Accepted"}})
    action, _ = behaviour.next_message(AT)
    assert action not in ("StartTransaction", "TransactionEvent")
    assert behaviour.starts_refused == 1
    assert behaviour.state is not State.CHARGING
    await reservations.stop()

    behaviour, reservations = station_with(version, token="RESERVED")
    assert ask(reservations, "ReserveNow", reserve_now(version, 8, "RESERVED"), station) == "Accepted"
    behaviour.next_message(AT)
    action, payload = behaviour.next_message(AT)
    validate(version, action, MessageKind.REQUEST, payload)
    assert payload["reservationId"] == 8
    assert behaviour.state is State.CHARGING
    assert reservations.active == {}
    await reservations.stop()


@pytest.mark.parametrize("version", VERSIONS)
async def test_a_token_of_the_reserved_group_may_start(version: OcppVersion) -> None:
    behaviour, reservations = station_with(version, token="MEMBER")
    station = FakeStation(version)
    assert ask(reservations, "ReserveNow", reserve_now(version, 3, "OTHER", group="FLEET"), station) == "Accepted"
    behaviour.next_message(AT)
    if version is V16:
        behaviour.on_result({"idTagInfo": {"status": "Accepted", "parentIdTag": "FLEET"}})
    else:
        behaviour.on_result(
            {"idTokenInfo": {"status": "Accepted", "groupIdToken": {"idToken": "FLEET", "type": "Central"}}}
        )
    assert behaviour.next_message(AT)[1]["reservationId"] == 3
    await reservations.stop()


@pytest.mark.parametrize("version", VERSIONS)
async def test_expiry_frees_the_connector(version: OcppVersion) -> None:
    clock = Clock()
    _, reservations = station_with(version, clock=clock)
    station = FakeStation(version)
    assert ask(reservations, "ReserveNow", reserve_now(version, 5, "SOMEONE-ELSE"), station) == "Accepted"
    await settle()
    assert clock.slept == [300.0]
    assert not reservations.admits(1, "SIMTAG000001", None, NOW)
    assert reservations.admits(1, "SIMTAG000001", None, NOW + timedelta(minutes=10))  # expired: anyone may start
    clock.release.set()
    await asyncio.gather(*reservations._tasks)
    expected = ["Reserved", "Available"] if version is V16 else ["Reserved", "Expired", "Available"]
    assert station.statuses() == expected
    assert reservations.active == {}


@pytest.mark.parametrize("version", VERSIONS)
async def test_cancel_frees_the_connector_and_unknown_ids_are_rejected(version: OcppVersion) -> None:
    _, reservations = station_with(version)
    station = FakeStation(version)
    assert ask(reservations, "ReserveNow", reserve_now(version, 5, "X"), station) == "Accepted"
    assert ask(reservations, "CancelReservation", {"reservationId": 6}, station) == "Rejected"
    assert ask(reservations, "CancelReservation", {"reservationId": 5}, station) == "Accepted"
    await settle()
    assert station.statuses() == ["Reserved", "Available"]
    assert reservations.active == {}
    await reservations.stop()


@pytest.mark.parametrize("version", VERSIONS)
async def test_reserve_now_refusals(version: OcppVersion) -> None:
    behaviour, reservations = station_with(version)
    station = FakeStation(version)
    assert ask(reservations, "ReserveNow", reserve_now(version, 1, "X", evse=2), station) == "Rejected"
    assert ask(reservations, "ReserveNow", reserve_now(version, 1, "X"), station) == "Accepted"
    assert ask(reservations, "ReserveNow", reserve_now(version, 2, "Y"), station) == "Occupied"
    assert ask(reservations, "ReserveNow", reserve_now(version, 1, "Z"), station) == "Accepted"  # same id: replaced
    assert reservations.active[1].id_token == "Z"
    reservations.active.clear()
    behaviour.available = False
    assert ask(reservations, "ReserveNow", reserve_now(version, 3, "X"), station) == "Unavailable"
    behaviour.available, behaviour.state = True, State.CHARGING
    assert ask(reservations, "ReserveNow", reserve_now(version, 3, "X"), station) == "Occupied"
    await reservations.stop()


def test_16_connector_zero_is_not_reservable() -> None:
    _, reservations = station_with(V16)
    answered = reservations.answer("ReserveNow", reserve_now(V16, 1, "X", evse=0), AT)
    assert answered is not None and answered[0] == {"status": "Rejected"}
    assert reservations.answer("Reset", {"type": "Soft"}, AT) is None
