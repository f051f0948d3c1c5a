"""Reservations in the real Cassandra: save and set_status round-trip, and the projector's writes (device-model's
answered reserve-now / cancel-reservation) land in the same rows the authorizer reads."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2 as dm
from csms_authorization.adapters.reservation_store import CassandraReservationStore
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.projections.active_sessions import PROJECTION
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter

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
