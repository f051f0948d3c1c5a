"""A session start naming no reservation ends the active reservation that admitted it (its token or its group, on
its EVSE or the whole station), at the start's time; a start naming its reservation (the other projector's), a
refused start, another token, another EVSE, an expired or ended reservation write nothing. The read asks only for
the stations of such starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.projections.reservation_use import PROJECTION, ReservationsRead, use_writes
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros
from kit.fakes.authorization import InMemoryReservationStore

AT = datetime(2026, 12, 6, 15, 0, tzinfo=UTC)
ON_1 = Reservation("CS-1", 4, "TAG-R", AT + timedelta(minutes=5), ReservationStatus.ACCEPTED, 1, "FLEET")
WHOLE = Reservation("CS-1", 5, "TAG-R", AT + timedelta(minutes=5), ReservationStatus.ACCEPTED, 0)
USED = "UPDATE {ks}.reservations USING TIMESTAMP ? SET status = ? WHERE station_id = ? AND reservation_id = ?"


def start(
    token: str = "TAG-R", evse: int = 1, group: str = "", status: str = "Accepted", reservation: int | None = None
) -> tx.TransactionEvent:
    started = tx.TransactionStarted(
        evse_id=evse,
        id_token=tx.IdToken(id_token=token),
        authorization=tx.AuthorizationDecision(status=status, group_id_token=group),
        started_at=timestamp(AT),
    )
    if reservation is not None:
        started.reservation_id = reservation
    return tx.TransactionEvent(station_id="CS-1", occurred_at=timestamp(AT + timedelta(seconds=1)), started=started)


def used(reservation: Reservation) -> Write:
    return Write(USED, (micros(AT), "Used", "CS-1", reservation.reservation_id))


def test_the_reserved_token_or_its_group_ends_the_reservation_of_its_evse_first() -> None:
    state = {"CS-1": [ON_1, WHOLE]}
    assert use_writes([start()], state) == [used(ON_1)]
    assert use_writes([start("TAG-X", group="FLEET")], state) == [used(ON_1)]
    assert use_writes([start(evse=2)], state) == [used(WHOLE)]


def test_two_starts_in_one_batch_end_two_reservations() -> None:
    assert use_writes([start(), start()], {"CS-1": [ON_1, WHOLE]}) == [used(ON_1), used(WHOLE)]


def test_starts_it_did_not_admit_write_nothing() -> None:
    state = {"CS-1": [ON_1]}
    assert use_writes([start("TAG-X")], state) == []
    assert use_writes([start(evse=2)], state) == []
    assert use_writes([start(status="Invalid")], state) == []
    assert use_writes([start(reservation=4)], state) == []
    assert use_writes([tx.TransactionEvent(station_id="CS-1", ended=tx.TransactionEnded())], state) == []
    expired = Reservation("CS-1", 4, "TAG-R", AT, ReservationStatus.ACCEPTED, 1)
    cancelled = Reservation("CS-1", 4, "TAG-R", AT + timedelta(hours=1), ReservationStatus.CANCELLED, 1)
    assert use_writes([start()], {"CS-1": [expired, cancelled]}) == []


async def test_the_read_asks_for_the_stations_of_unnamed_starts_only() -> None:
    store = InMemoryReservationStore(ON_1)
    other = start()
    other.station_id = "CS-2"
    state = await ReservationsRead(store).read([start(), other, start(reservation=4)])
    assert state == {"CS-1": [ON_1], "CS-2": []}
    assert await ReservationsRead(store).read([start(reservation=4)]) == {}


def test_it_owns_no_table() -> None:
    assert (PROJECTION.name, PROJECTION.tables) == ("authorization.projector.reservation_use", ())
