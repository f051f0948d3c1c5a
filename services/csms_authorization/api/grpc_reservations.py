"""The reservation RPCs of AuthorizationService (docs/adr/0043): ReserveNow, CancelReservation, ListReservations,
GetReservation over the reservation use case (`app.reservations`). Part of the one servicer
(`grpc_api.AuthorizationServicer`). No I/O of its own."""

from __future__ import annotations

import grpc

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.api.grpc_common import Context, abort, unavailable
from csms_authorization.app.reservations import (
    InvalidReservation,
    ReservationConflict,
    ReservationService,
    UnknownReservation,
)
from csms_authorization.domain.reservations import Reservation, ReservationStatus
from csms_authorization.ports import CommandNotSent, SendFailure
from csms_kernel.infra.envelopes import timestamp, to_datetime

RESERVATIONS = "reservation store"

_SEND_FAILURES = {
    SendFailure.UNKNOWN_STATION: grpc.StatusCode.NOT_FOUND,
    SendFailure.OFFLINE: grpc.StatusCode.FAILED_PRECONDITION,
    SendFailure.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    SendFailure.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
}
_STATUSES = {status.value.lower(): status for status in ReservationStatus}


class ReservationRpcs:
    def __init__(self, reservations: ReservationService) -> None:
        self._reservations = reservations

    async def ReserveNow(self, request: pb.ReserveNowRequest, context: Context) -> pb.ReserveNowResponse:
        if not request.station_id:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, "station_id: required")
        if not request.HasField("expires_at"):
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, "expires_at: required")
        draft = Reservation(
            station_id=request.station_id,
            reservation_id=0,
            id_token=request.id_token,
            expires_at=to_datetime(request.expires_at),
            status=ReservationStatus.PENDING,
            evse_id=request.evse_id,
            group_id_token=request.group_id_token or None,
            connector_type=request.connector_type or None,
            token_type=request.token_type or "Central",
            request_key=request.request_key or None,
        )
        try:
            made, answer = await self._reservations.reserve(draft, _wait_s(request.timeout_ms))
        except InvalidReservation as exc:
            await abort(context, grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except ReservationConflict as exc:
            await abort(context, grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        except CommandNotSent as exc:
            await abort(context, _SEND_FAILURES[exc.failure], str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, RESERVATIONS, exc)
        return pb.ReserveNowResponse(reservation=reservation_proto(made), station_status=answer or "")

    async def CancelReservation(
        self, request: pb.CancelReservationRequest, context: Context
    ) -> pb.CancelReservationResponse:
        try:
            cancelled, answer = await self._reservations.cancel(
                request.station_id, request.reservation_id, _wait_s(request.timeout_ms)
            )
        except UnknownReservation as exc:
            await abort(context, grpc.StatusCode.NOT_FOUND, str(exc))
        except CommandNotSent as exc:
            await abort(context, _SEND_FAILURES[exc.failure], str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, RESERVATIONS, exc)
        return pb.CancelReservationResponse(reservation=reservation_proto(cancelled), station_status=answer or "")

    async def ListReservations(
        self, request: pb.ListReservationsRequest, context: Context
    ) -> pb.ListReservationsResponse:
        status = None
        if request.status:
            status = _STATUSES.get(request.status.lower())
            if status is None:
                known = ", ".join(s.value for s in ReservationStatus)
                await abort(context, grpc.StatusCode.INVALID_ARGUMENT, f"status: one of {known}")
        try:
            found = await self._reservations.list(request.station_id or None, status, request.active)
        except StoreUnavailable as exc:
            await unavailable(context, RESERVATIONS, exc)
        return pb.ListReservationsResponse(reservations=[reservation_proto(r) for r in found])

    async def GetReservation(self, request: pb.GetReservationRequest, context: Context) -> pb.GetReservationResponse:
        try:
            found = await self._reservations.get(request.station_id, request.reservation_id)
        except UnknownReservation as exc:
            await abort(context, grpc.StatusCode.NOT_FOUND, str(exc))
        except StoreUnavailable as exc:
            await unavailable(context, RESERVATIONS, exc)
        return pb.GetReservationResponse(reservation=reservation_proto(found))


def reservation_proto(reservation: Reservation) -> pb.Reservation:
    return pb.Reservation(
        station_id=reservation.station_id,
        reservation_id=reservation.reservation_id,
        id_token=reservation.id_token,
        token_type=reservation.token_type,
        group_id_token=reservation.group_id_token or "",
        evse_id=reservation.evse_id,
        connector_type=reservation.connector_type or "",
        expires_at=timestamp(reservation.expires_at),
        status=reservation.status.value,
    )


def _wait_s(timeout_ms: int) -> float | None:
    return timeout_ms / 1000 if timeout_ms else None
