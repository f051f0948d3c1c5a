"""Authorize on every version honours the station's reservations: Authorize names no EVSE, so a reservation of the
whole station refuses every other token (1.6 Invalid, 2.x NotAtThisLocation) and admits its own token and group; a
reservation of one EVSE, or one that expired, refuses nobody at Authorize."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from ocpp.v16 import call as v16_call
from ocpp.v21 import call as v21_call
from ocpp.v201 import call as v201_call

from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.ocpp.v16 import authorize as v16_authorize
from csms_authorization.ocpp.v21 import authorize as v21_authorize
from csms_authorization.ocpp.v201 import authorize as v201_authorize
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.authorization import NOW, STATION, a_token, make_context
from kit.fakes.authorization import InMemoryReservationStore

EXPIRES = NOW + timedelta(minutes=5)
WHOLE = Reservation(STATION, 7, "RESERVED", EXPIRES, ReservationStatus.ACCEPTED, group_id_token="FLEET")
TOKENS = (a_token("RESERVED"), a_token("OTHER"), a_token("MEMBER", group_id_token="FLEET"))


async def status(version: OcppVersion, id_token: str, reservation: Reservation) -> str:
    ctx = make_context(version, *TOKENS, reservations=InMemoryReservationStore(reservation))
    if version is OcppVersion.V16:
        answer16 = await v16_authorize.handle(ctx, v16_call.Authorize(id_tag=id_token))
        return str(answer16.id_tag_info["status"])
    token = {"id_token": id_token, "type": "ISO14443"}
    if version is OcppVersion.V201:
        answer201 = await v201_authorize.handle(ctx, v201_call.Authorize(id_token=token))
        return str(answer201.id_token_info["status"])
    answer21 = await v21_authorize.handle(ctx, v21_call.Authorize(id_token=token))
    return str(answer21.id_token_info["status"])


@pytest.mark.parametrize(
    ("version", "refused"),
    [(OcppVersion.V16, "Invalid"), (OcppVersion.V201, "NotAtThisLocation"), (OcppVersion.V21, "NotAtThisLocation")],
)
async def test_a_whole_station_reservation_admits_only_its_token_and_group(version: OcppVersion, refused: str) -> None:
    assert await status(version, "RESERVED", WHOLE) == "Accepted"
    assert await status(version, "MEMBER", WHOLE) == "Accepted"
    assert await status(version, "OTHER", WHOLE) == refused


@pytest.mark.parametrize("version", list(OcppVersion))
@pytest.mark.parametrize(
    "reservation",
    [replace(WHOLE, evse_id=1), replace(WHOLE, expires_at=NOW), replace(WHOLE, status=ReservationStatus.CANCELLED)],
)
async def test_an_evse_expired_or_ended_reservation_refuses_nobody_at_authorize(
    version: OcppVersion, reservation: Reservation
) -> None:
    assert await status(version, "OTHER", reservation) == "Accepted"
