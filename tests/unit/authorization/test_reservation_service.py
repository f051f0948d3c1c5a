"""Reserving and cancelling: a fresh id per station, Pending while device-model sends reserve-now, then Accepted or
Refused by the station's answer; bad requests refused before anything is written or sent; cancel ends an active
reservation when the station accepts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csms_authorization.app.reservations import InvalidReservation, ReservationService, UnknownReservation
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.ports import CommandNotSent
from kit.fakes.authorization import InMemoryReservationStore, ScriptedReservationCommands

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(minutes=15)
DRAFT = Reservation("CS-1", 0, "TAG-1", EXPIRES, ReservationStatus.PENDING, evse_id=2, group_id_token="FLEET")


def service(
    **answers: str | Exception | None,
) -> tuple[ReservationService, InMemoryReservationStore, ScriptedReservationCommands]:
    store, commands = InMemoryReservationStore(), ScriptedReservationCommands(dict(answers))
    return ReservationService(store, commands), store, commands


async def test_an_accepted_reservation_gets_the_next_id_and_holds() -> None:
    reservations, store, commands = service()
    await store.save(replace(DRAFT, reservation_id=4, evse_id=1, status=ReservationStatus.CANCELLED))
    made, answer = await reservations.reserve(DRAFT, NOW)
    assert (made.reservation_id, made.status, answer) == (5, ReservationStatus.ACCEPTED, "accepted")
    assert store.records["CS-1", 5] == made
    assert commands.sent == [
        (
            "CS-1",
            "reserve-now",
            {
                "reservation_id": 5,
                "expires_at": EXPIRES.isoformat(),
                "id_token": "TAG-1",
                "token_type": "Central",
                "evse_id": 2,
                "group_id_token": "FLEET",
            },
            "reservation:reserve:CS-1:5",
        )
    ]


@pytest.mark.parametrize("answer", ["occupied", "faulted", "unavailable", "rejected", None])
async def test_a_refused_or_unanswered_reservation_holds_nothing(answer: str | None) -> None:
    reservations, store, _ = service(**{"reserve-now": answer})
    made, got = await reservations.reserve(DRAFT, NOW)
    assert (made.status, got) == (ReservationStatus.REFUSED, answer)
    assert store.records["CS-1", 1].status is ReservationStatus.REFUSED


async def test_a_reservation_device_model_cannot_send_is_refused_and_the_error_propagates() -> None:
    reservations, store, _ = service(**{"reserve-now": CommandNotSent("station CS-1 is offline")})
    with pytest.raises(CommandNotSent, match="offline"):
        await reservations.reserve(DRAFT, NOW)
    assert store.records["CS-1", 1].status is ReservationStatus.REFUSED


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (replace(DRAFT, expires_at=NOW), "expires_at must be in the future"),
        (replace(DRAFT, id_token=""), "id_token is required"),
        (replace(DRAFT, evse_id=-1), "evse_id must be 0"),
    ],
)
async def test_bad_requests_are_refused_before_anything_is_written(draft: Reservation, message: str) -> None:
    reservations, store, commands = service()
    with pytest.raises(InvalidReservation, match=message):
        await reservations.reserve(draft, NOW)
    assert (store.records, commands.sent) == ({}, [])


async def test_an_evse_already_reserved_is_refused() -> None:
    reservations, _, _ = service()
    await reservations.reserve(DRAFT, NOW)
    with pytest.raises(InvalidReservation, match="EVSE 2 of CS-1 is already reserved"):
        await reservations.reserve(replace(DRAFT, id_token="TAG-2"), NOW)


async def test_cancel_ends_an_active_reservation_when_the_station_accepts() -> None:
    reservations, store, commands = service()
    made, _ = await reservations.reserve(DRAFT, NOW)
    cancelled, answer = await reservations.cancel("CS-1", made.reservation_id, NOW)
    assert (cancelled.status, answer) == (ReservationStatus.CANCELLED, "accepted")
    assert store.records["CS-1", 1].status is ReservationStatus.CANCELLED
    assert commands.sent[-1] == ("CS-1", "cancel-reservation", {"reservation_id": 1}, "reservation:cancel:CS-1:1")


async def test_cancel_of_an_expired_or_unknown_reservation_sends_nothing() -> None:
    reservations, _, commands = service()
    made, _ = await reservations.reserve(DRAFT, NOW)
    expired, answer = await reservations.cancel("CS-1", made.reservation_id, EXPIRES)
    assert (expired.status, answer, len(commands.sent)) == (ReservationStatus.EXPIRED, None, 1)
    with pytest.raises(UnknownReservation, match="CS-1 has no reservation 9"):
        await reservations.cancel("CS-1", 9, NOW)
