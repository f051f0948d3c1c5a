"""ReservationStatusUpdate (2.0.1, 2.1): the station's Expired or Removed (2.1 also NoTransaction) ends the CSMS's
reservation of that id at the calling station; an unknown reservation id is answered all the same."""

from __future__ import annotations

from datetime import timedelta

import pytest
from ocpp.v21 import call as v21_call
from ocpp.v21 import call_result as v21_result
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_result

from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.ocpp.v21 import reservation_status_update as v21_update
from csms_authorization.ocpp.v201 import reservation_status_update as v201_update
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import NOW, STATION, make_context
from kit.fakes.authorization import InMemoryReservationStore

RESERVATION = Reservation(STATION, 7, "RESERVED", NOW + timedelta(minutes=5), ReservationStatus.ACCEPTED, evse_id=1)
ELSEWHERE = Reservation("CS-2", 7, "RESERVED", NOW + timedelta(minutes=5), ReservationStatus.ACCEPTED, evse_id=1)


async def update(version: OcppVersion, store: InMemoryReservationStore, reservation_id: int, status: str) -> None:
    ctx = make_context(version, reservations=store, action="ReservationStatusUpdate")
    if version is OcppVersion.V201:
        request201 = v201_call.ReservationStatusUpdate(reservation_id=reservation_id, reservation_update_status=status)
        assert await v201_update.handle(ctx, request201) == v201_result.ReservationStatusUpdate()
    else:
        request21 = v21_call.ReservationStatusUpdate(reservation_id=reservation_id, reservation_update_status=status)
        assert await v21_update.handle(ctx, request21) == v21_result.ReservationStatusUpdate()
    assert ctx.emitted.events == []


@pytest.mark.parametrize(
    ("version", "status", "ended"),
    [
        (OcppVersion.V201, "Expired", ReservationStatus.EXPIRED),
        (OcppVersion.V201, "Removed", ReservationStatus.REMOVED),
        (OcppVersion.V21, "Expired", ReservationStatus.EXPIRED),
        (OcppVersion.V21, "Removed", ReservationStatus.REMOVED),
        (OcppVersion.V21, "NoTransaction", ReservationStatus.USED),
    ],
)
async def test_the_station_ends_its_reservation(version: OcppVersion, status: str, ended: ReservationStatus) -> None:
    store = InMemoryReservationStore(RESERVATION, ELSEWHERE)
    await update(version, store, 7, status)
    assert store.records[STATION, 7].status is ended
    assert store.records["CS-2", 7] == ELSEWHERE


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_an_unknown_reservation_is_answered_and_changes_nothing(version: OcppVersion) -> None:
    store = InMemoryReservationStore(RESERVATION)
    await update(version, store, 99, "Removed")
    assert store.records == {(STATION, 7): RESERVATION}
