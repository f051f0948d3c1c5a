"""OCPP 2.1 ReservationStatusUpdate (station → CSMS): as 2.0.1, plus NoTransaction (the reservation's token was
presented but no transaction followed: the reservation is spent). Side effect: one reservation store write."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.v201.reservation_status_update import record_update


async def handle(
    ctx: AuthorizationContext, request: call.ReservationStatusUpdate
) -> call_result.ReservationStatusUpdate:
    await record_update(ctx, request.reservation_id, str(request.reservation_update_status))
    return call_result.ReservationStatusUpdate()
