"""Reservations in the real Cassandra: save and set_status round-trip, the lightweight-transaction insert that
allocates ids (concurrent requests never share an id, only one of them reserves an EVSE), the request key, the
projector's writes (device-model's answered reserve-now / cancel-reservation) and the reservation-use projector's
land in the same rows the authorizer reads."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.adapters.reservation_store import CassandraReservationStore
from csms_authorization.app.reservations import ReservationConflict, ReservationService
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.projections import reservation_use
from csms_authorization.projections.active_sessions import PROJECTION
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter
from kit.fakes.authorization import ScriptedReservationCommands

pytestmark = pytest.mark.integration

EXPIRES = datetime(2030, 1, 1, 12, 0, 0, 250000, tzinfo=UTC)


def a_station() -> str:
    return f"CS-{uuid.uuid4().hex[:8]}"


async def test_save_and_set_status_round_trip(session: CassandraSession) -> None:
    store = CassandraReservationStore(session)
    station = a_station()
    reservation = Reservation(
        station, 1, "TAG-1", EXPIRES, ReservationStatus.PENDING, evse_id=2, group_id_token="FLEET", token_type="eMAID"
    )
    await store.save(reservation)
    assert await store.of_station(station) == [reservation]
    await store.save(Reservation(station, 2, "TAG-3", EXPIRES, ReservationStatus.ACCEPTED, connector_type="cType2"))
    assert await store.set_status(station, 1, ReservationStatus.ACCEPTED)
    assert not await store.set_status(station, 9, ReservationStatus.REMOVED)
    found = await store.of_station(station)
    assert [(r.reservation_id, r.status, r.connector_type) for r in found] == [
        (1, ReservationStatus.ACCEPTED, None),
        (2, ReservationStatus.ACCEPTED, "cType2"),
    ]


def answered(station: str, command: str, params: dict[str, object], status: str, at: datetime) -> dm.DeviceModelEvent:
    return dm.DeviceModelEvent(
        command_answered=dm.CommandAnswered(
            command=dm.Command(
                station_id=station,
                command=command,
                params_json=json.dumps(params),
                state=dm.COMMAND_STATE_ANSWERED,
                result_json=json.dumps({"status": status}),
                finished_at=timestamp(at),
            )
        )
    )


async def test_the_projector_records_reservations_made_through_device_model(session: CassandraSession) -> None:
    store, writer, station = (
        CassandraReservationStore(session),
        CassandraWriter(session, PROJECTION.keyspace),
        a_station(),
    )
    now = datetime.now(UTC)
    params = {"reservation_id": 7, "expires_at": "2030-01-01T12:00:00.250Z", "id_token": "TAG-1", "evse_id": 1}
    await writer.apply(PROJECTION.writes([answered(station, "reserve-now", params, "accepted", now)], None))
    assert await store.of_station(station) == [Reservation(station, 7, "TAG-1", EXPIRES, ReservationStatus.ACCEPTED, 1)]
    cancel = answered(station, "cancel-reservation", {"reservation_id": 7}, "accepted", now + timedelta(seconds=1))
    unknown = answered(station, "cancel-reservation", {"reservation_id": 8}, "accepted", now + timedelta(seconds=1))
    await writer.apply(PROJECTION.writes([cancel, unknown], None))
    assert [(r.reservation_id, r.status) for r in await store.of_station(station)] == [(7, ReservationStatus.CANCELLED)]


async def test_create_is_a_lightweight_transaction(session: CassandraSession) -> None:
    store, station = CassandraReservationStore(session), a_station()
    first = Reservation(station, 1, "TAG-1", EXPIRES, ReservationStatus.PENDING, evse_id=1, request_key="op-1")
    assert await store.create(first)
    assert not await store.create(replace(first, id_token="TAG-2", request_key=None))
    assert await store.of_station(station) == [first]
    assert first in await store.every(100_000)


def service(session: CassandraSession) -> tuple[ReservationService, ScriptedReservationCommands]:
    commands = ScriptedReservationCommands()
    return ReservationService(CassandraReservationStore(session), commands, lambda: datetime.now(UTC), 5.0), commands


async def test_concurrent_requests_get_distinct_ids(session: CassandraSession) -> None:
    reservations, commands = service(session)
    station = a_station()
    draft = Reservation(station, 0, "TAG-1", EXPIRES, ReservationStatus.PENDING)
    made = await asyncio.gather(*(reservations.reserve(replace(draft, evse_id=evse)) for evse in range(1, 9)))
    assert sorted(r.reservation_id for r, _ in made) == list(range(1, 9))
    assert len({key for *_, key in commands.sent}) == 8
    stored = await CassandraReservationStore(session).of_station(station)
    assert [(r.reservation_id, r.status) for r in stored] == [(n, ReservationStatus.ACCEPTED) for n in range(1, 9)]


async def test_of_concurrent_requests_for_one_evse_one_reserves_it(session: CassandraSession) -> None:
    reservations, commands = service(session)
    draft = Reservation(a_station(), 0, "TAG-1", EXPIRES, ReservationStatus.PENDING, evse_id=1)
    outcomes = await asyncio.gather(*(reservations.reserve(draft) for _ in range(5)), return_exceptions=True)
    assert [type(o) for o in outcomes].count(ReservationConflict) == 4, outcomes
    assert len(commands.sent) == 1
    assert [r.status for r in await reservations.list(draft.station_id, active=True)] == [ReservationStatus.ACCEPTED]


async def test_a_repeated_request_key_is_found_in_the_store(session: CassandraSession) -> None:
    reservations, commands = service(session)
    draft = Reservation(a_station(), 0, "TAG-1", EXPIRES, ReservationStatus.PENDING, request_key="op-7")
    first, _ = await reservations.reserve(draft)
    again, _ = await reservations.reserve(draft)
    assert (again.reservation_id, len(commands.sent)) == (first.reservation_id, 1)


async def test_the_use_projector_ends_the_reservation_an_unnamed_start_used(session: CassandraSession) -> None:
    store, writer, station = (
        CassandraReservationStore(session),
        CassandraWriter(session, "csms_authorization"),
        a_station(),
    )
    await store.save(Reservation(station, 1, "TAG-R", EXPIRES, ReservationStatus.ACCEPTED, evse_id=2))
    start = tx.TransactionEvent(
        station_id=station,
        occurred_at=timestamp(datetime.now(UTC)),
        started=tx.TransactionStarted(evse_id=2, id_token=tx.IdToken(id_token="TAG-R")),
    )
    state = await reservation_use.ReservationsRead(store).read([start])
    await writer.apply(reservation_use.PROJECTION.writes([start], state))
    assert [r.status for r in await store.of_station(station)] == [ReservationStatus.USED]
