"""OCPP 2.0.1 ReservationStatusUpdate (station → CSMS): the station ended a reservation (Expired, Removed); the
CSMS's reservation takes that status (docs/adr/0043). An unknown reservation id is answered all the same: the
station has nothing to do about it. Side effect: one reservation store write."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_authorization.domain.reservations import STATION_UPDATES
from csms_authorization.ocpp.context import AuthorizationContext


async def handle(
    ctx: AuthorizationContext, request: call.ReservationStatusUpdate
) -> call_result.ReservationStatusUpdate:
    await record_update(ctx, request.reservation_id, str(request.reservation_update_status))
    return call_result.ReservationStatusUpdate()


async def record_update(ctx: AuthorizationContext, reservation_id: int, update: str) -> None:
    """Version-neutral: sets the reservation's status from the station's ReservationUpdateStatus."""
    await ctx.reservations.set_status(ctx.call.station_id, reservation_id, STATION_UPDATES[update])
