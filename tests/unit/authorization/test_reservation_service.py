"""Reserving and cancelling: a fresh id per station (never the same one for two concurrent requests), Pending while
device-model sends reserve-now, then Accepted or Refused by the station's answer; an EVSE (or the station) already
reserved refused, also between concurrent requests; bad requests refused before anything is written or sent; a
repeated request key sends nothing twice; cancel ends an active reservation when the station accepts; reads give
statuses as of now."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csms_authorization.app.reservations import (
    InvalidReservation,
    ReservationConflict,
    ReservationService,
    UnknownReservation,
)
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.ports import CommandNotSent, SendFailure
from kit.fakes.authorization import InMemoryReservationStore, ScriptedReservationCommands

NOW = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
EXPIRES = NOW + timedelta(minutes=15)
DRAFT = Reservation("CS-1", 0, "TAG-1", EXPIRES, ReservationStatus.PENDING, evse_id=2, group_id_token="FLEET")


class YieldingStore(InMemoryReservationStore):
    """Lets other requests run between each read and write, as a real store does."""

    async def of_station(self, station_id: str) -> list[Reservation]:
        await asyncio.sleep(0)
        return await super().of_station(station_id)

    async def create(self, reservation: Reservation) -> bool:
        await asyncio.sleep(0)
        return await super().create(reservation)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def service(
    store: InMemoryReservationStore | None = None, **answers: str | Exception | None
) -> tuple[ReservationService, InMemoryReservationStore, ScriptedReservationCommands, Clock]:
    store, commands, clock = store or InMemoryReservationStore(), ScriptedReservationCommands(dict(answers)), Clock()
    return ReservationService(store, commands, clock, wait_s=30.0), store, commands, clock


async def test_an_accepted_reservation_gets_the_next_id_and_holds() -> None:
    reservations, store, commands, _ = service()
    await store.save(replace(DRAFT, reservation_id=4, evse_id=1, status=ReservationStatus.CANCELLED))
    made, answer = await reservations.reserve(DRAFT)
    assert (made.reservation_id, made.status, answer) == (5, ReservationStatus.ACCEPTED, "accepted")
    assert store.records["CS-1", 5] == made
    assert commands.sent == [
        (
            "CS-1",
            "reserve-now",
            {
                "reservation_id": 5,
                "expires_at": "2026-12-06T15:15:00.000Z",
                "id_token": "TAG-1",
                "token_type": "Central",
                "evse_id": 2,
                "group_id_token": "FLEET",
            },
            "reservation:reserve:CS-1:5",
        )
    ]
    assert commands.waits == [30.0]


async def test_the_request_timeout_is_the_wait_for_the_station() -> None:
    reservations, _, commands, _ = service()
    await reservations.reserve(replace(DRAFT, connector_type="cType2", evse_id=0), wait_s=4.0)
    assert commands.waits == [4.0]
    assert commands.sent[0][2]["connector_type"] == "cType2"


@pytest.mark.parametrize("answer", ["occupied", "faulted", "unavailable", "rejected", None])
async def test_a_refused_or_unanswered_reservation_holds_nothing(answer: str | None) -> None:
    reservations, store, _, _ = service(**{"reserve-now": answer})
    made, got = await reservations.reserve(DRAFT)
    assert (made.status, got) == (ReservationStatus.REFUSED, answer)
    assert store.records["CS-1", 1].status is ReservationStatus.REFUSED
    again, _ = await reservations.reserve(DRAFT)
    assert again.reservation_id == 2


@pytest.mark.parametrize("failure", list(SendFailure))
async def test_a_reservation_device_model_cannot_send_is_refused_and_the_error_propagates(failure: SendFailure) -> None:
    reservations, store, _, _ = service(**{"reserve-now": CommandNotSent(failure, "station CS-1 is offline")})
    with pytest.raises(CommandNotSent, match="offline") as raised:
        await reservations.reserve(DRAFT)
    assert raised.value.failure is failure
    assert store.records["CS-1", 1].status is ReservationStatus.REFUSED


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (replace(DRAFT, expires_at=NOW), "expires_at: 2026-12-06T15:00:00[+]00:00 is not in the future"),
        (replace(DRAFT, expires_at=NOW - timedelta(hours=1)), "expires_at: .* is not in the future"),
        (replace(DRAFT, id_token=""), "id_token: required"),
        (replace(DRAFT, evse_id=-1), "evse_id: 0"),
        (replace(DRAFT, request_key="k" * 201), "request_key: at most 200"),
    ],
)
async def test_bad_requests_are_refused_before_anything_is_written(draft: Reservation, message: str) -> None:
    reservations, store, commands, _ = service()
    with pytest.raises(InvalidReservation, match=message):
        await reservations.reserve(draft)
    assert (store.records, commands.sent) == ({}, [])


@pytest.mark.parametrize(
    ("held", "asked", "message"),
    [
        (2, 2, "EVSE 2 of CS-1 is reserved until 2026-12-06T15:15:00[+]00:00 [(]reservation 1, Accepted[)]"),
        (0, 2, "the whole station of CS-1 is reserved"),
        (2, 0, "EVSE 2 of CS-1 is reserved"),
    ],
)
async def test_an_evse_or_station_already_reserved_is_refused(held: int, asked: int, message: str) -> None:
    reservations, store, commands, _ = service()
    await reservations.reserve(replace(DRAFT, evse_id=held))
    with pytest.raises(ReservationConflict, match=message):
        await reservations.reserve(replace(DRAFT, id_token="TAG-2", evse_id=asked))
    assert len(commands.sent) == 1 and len(store.records) == 1


async def test_another_evse_an_expired_or_an_ended_reservation_does_not_conflict() -> None:
    reservations, store, _, clock = service()
    await reservations.reserve(DRAFT)
    assert (await reservations.reserve(replace(DRAFT, evse_id=3)))[0].status is ReservationStatus.ACCEPTED
    clock.now = EXPIRES
    later = replace(DRAFT, expires_at=EXPIRES + timedelta(minutes=5))
    made, _ = await reservations.reserve(later)
    assert (made.reservation_id, made.status) == (3, ReservationStatus.ACCEPTED)
    await store.set_status("CS-1", 3, ReservationStatus.USED)
    assert (await reservations.reserve(later))[0].reservation_id == 4


async def test_a_pending_reservation_claims_its_evse_until_its_expiry() -> None:
    reservations, store, _, clock = service()
    await store.save(replace(DRAFT, reservation_id=1, status=ReservationStatus.PENDING))
    with pytest.raises(ReservationConflict, match="reservation 1, Pending"):
        await reservations.reserve(DRAFT)
    clock.now = EXPIRES
    made, _ = await reservations.reserve(replace(DRAFT, expires_at=EXPIRES + timedelta(minutes=1)))
    assert made.reservation_id == 2


async def test_concurrent_requests_never_get_the_same_id() -> None:
    store = YieldingStore()
    reservations, _, commands, _ = service(store)
    made = await asyncio.gather(*(reservations.reserve(replace(DRAFT, evse_id=evse)) for evse in range(1, 6)))
    assert sorted(r.reservation_id for r, _ in made) == [1, 2, 3, 4, 5]
    assert sorted(params["reservation_id"] for _, _, params, _ in commands.sent) == [1, 2, 3, 4, 5]
    assert all(r.status is ReservationStatus.ACCEPTED for r in store.records.values())


async def test_of_concurrent_requests_for_one_evse_only_one_is_sent() -> None:
    store = YieldingStore()
    reservations, _, commands, _ = service(store)
    outcomes = await asyncio.gather(
        *(reservations.reserve(replace(DRAFT, id_token=f"TAG-{n}")) for n in range(4)), return_exceptions=True
    )
    made = [o for o in outcomes if not isinstance(o, BaseException)]
    refused = [o for o in outcomes if isinstance(o, ReservationConflict)]
    assert (len(made), len(refused)) == (1, 3)
    assert len(commands.sent) == 1
    assert [r.status for r in store.records.values()].count(ReservationStatus.ACCEPTED) == 1


async def test_a_repeated_request_key_gets_the_first_reservation_and_sends_nothing_more() -> None:
    reservations, store, commands, _ = service()
    first, _ = await reservations.reserve(replace(DRAFT, request_key="op-42"))
    again, answer = await reservations.reserve(replace(DRAFT, request_key="op-42"))
    assert (again, answer) == (first, None)
    assert len(commands.sent) == 1 and len(store.records) == 1


async def test_a_repeat_of_a_request_still_pending_asks_device_model_under_the_same_key() -> None:
    reservations, store, commands, _ = service()
    await store.save(replace(DRAFT, reservation_id=1, request_key="op-42"))
    commands.sent.append(("CS-1", "reserve-now", {}, "reservation:reserve:CS-1:1"))
    made, answer = await reservations.reserve(replace(DRAFT, request_key="op-42"))
    assert (made.reservation_id, made.status, answer) == (1, ReservationStatus.ACCEPTED, "accepted")
    assert len(commands.sent) == 1


async def test_cancel_ends_an_active_reservation_when_the_station_accepts() -> None:
    reservations, store, commands, _ = service()
    made, _ = await reservations.reserve(DRAFT)
    cancelled, answer = await reservations.cancel("CS-1", made.reservation_id)
    assert (cancelled.status, answer) == (ReservationStatus.CANCELLED, "accepted")
    assert store.records["CS-1", 1].status is ReservationStatus.CANCELLED
    assert commands.sent[-1] == ("CS-1", "cancel-reservation", {"reservation_id": 1}, "reservation:cancel:CS-1:1")


async def test_a_cancel_the_station_refuses_leaves_the_reservation() -> None:
    reservations, store, _, _ = service(**{"cancel-reservation": "rejected"})
    made, _ = await reservations.reserve(DRAFT)
    kept, answer = await reservations.cancel("CS-1", made.reservation_id)
    assert (kept.status, answer) == (ReservationStatus.ACCEPTED, "rejected")
    assert store.records["CS-1", 1].status is ReservationStatus.ACCEPTED


async def test_cancel_of_an_expired_or_unknown_reservation_sends_nothing() -> None:
    reservations, _, commands, clock = service()
    made, _ = await reservations.reserve(DRAFT)
    clock.now = EXPIRES
    expired, answer = await reservations.cancel("CS-1", made.reservation_id)
    assert (expired.status, answer, len(commands.sent)) == (ReservationStatus.EXPIRED, None, 1)
    with pytest.raises(UnknownReservation, match="CS-1 has no reservation 9"):
        await reservations.cancel("CS-1", 9)


async def test_reads_give_statuses_as_of_now_and_filter() -> None:
    reservations, store, _, clock = service()
    await reservations.reserve(DRAFT)
    await reservations.reserve(replace(DRAFT, evse_id=3, expires_at=NOW + timedelta(minutes=1)))
    await reservations.reserve(replace(DRAFT, station_id="CS-2"))
    clock.now = NOW + timedelta(minutes=2)
    assert (await reservations.get("CS-1", 2)).status is ReservationStatus.EXPIRED
    assert store.records["CS-1", 2].status is ReservationStatus.ACCEPTED
    assert [r.reservation_id for r in await reservations.list("CS-1")] == [2, 1]
    assert [(r.station_id, r.reservation_id) for r in await reservations.list(None, active=True)] == [
        ("CS-1", 1),
        ("CS-2", 1),
    ]
    assert [r.reservation_id for r in await reservations.list("CS-1", ReservationStatus.EXPIRED)] == [2]
    with pytest.raises(UnknownReservation):
        await reservations.get("CS-3", 1)


async def test_a_reservation_of_the_evse_written_meanwhile_under_a_lower_id_wins() -> None:
    """E.g. an operator's own `reserve-now` command (the projector writes the id the operator chose)."""

    class Meanwhile(InMemoryReservationStore):
        async def create(self, reservation: Reservation) -> bool:
            await self.save(replace(DRAFT, reservation_id=2, id_token="TAG-OP", status=ReservationStatus.ACCEPTED))
            return await super().create(reservation)

    store = Meanwhile(replace(DRAFT, reservation_id=3, evse_id=9, status=ReservationStatus.ACCEPTED))
    reservations, _, commands, _ = service(store)
    with pytest.raises(ReservationConflict, match=r"EVSE 2 of CS-1 is reserved .*reservation 2, Accepted"):
        await reservations.reserve(DRAFT)
    assert store.records["CS-1", 4].status is ReservationStatus.REFUSED
    assert commands.sent == []


async def test_the_expiry_is_kept_to_the_millisecond_as_the_store_keeps_it() -> None:
    reservations, store, commands, _ = service()
    made, _ = await reservations.reserve(replace(DRAFT, expires_at=EXPIRES.replace(microsecond=123456)))
    assert made.expires_at == EXPIRES.replace(microsecond=123000) == store.records["CS-1", 1].expires_at
    assert commands.sent[0][2]["expires_at"] == "2026-12-06T15:15:00.123Z"
