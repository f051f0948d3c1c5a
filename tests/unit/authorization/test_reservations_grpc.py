"""The reservation RPCs of AuthorizationService over in-memory fakes: ReserveNow (id, answer, errors mapped to
status codes), CancelReservation, ListReservations, GetReservation (statuses as of now)."""

from __future__ import annotations

from datetime import timedelta

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.ports import CommandNotSent, SendFailure
from csms_kernel.infra.envelopes import timestamp
from kit.builders.authorization_grpc import NOW, Service
from kit.fakes.grpc_context import CONTEXT, Aborted

UNTIL = NOW + timedelta(minutes=10)


def reserve(**fields: object) -> pb.ReserveNowRequest:
    values: dict[str, object] = {
        "station_id": "CS-1",
        "evse_id": 1,
        "id_token": "TAG-1",
        "expires_at": timestamp(UNTIL),
    }
    return pb.ReserveNowRequest(**{**values, **fields})  # type: ignore[arg-type]


async def test_reserve_now_answers_the_reservation_and_the_station_status(
    servicer: AuthorizationServicer, service: Service
) -> None:
    answer = await servicer.ReserveNow(reserve(group_id_token="FLEET", timeout_ms=5000), CONTEXT)
    assert answer == pb.ReserveNowResponse(
        reservation=pb.Reservation(
            station_id="CS-1",
            reservation_id=1,
            id_token="TAG-1",
            token_type="Central",
            group_id_token="FLEET",
            evse_id=1,
            expires_at=timestamp(UNTIL),
            status="Accepted",
        ),
        station_status="accepted",
    )
    assert service.reservation_commands.waits == [5.0]


async def test_a_refusal_is_an_answer_not_an_error(servicer: AuthorizationServicer, service: Service) -> None:
    service.reservation_commands.answers["reserve-now"] = "occupied"
    answer = await servicer.ReserveNow(reserve(), CONTEXT)
    assert (answer.reservation.status, answer.station_status) == ("Refused", "occupied")


@pytest.mark.parametrize(
    ("request_", "code", "message"),
    [
        (reserve(station_id=""), grpc.StatusCode.INVALID_ARGUMENT, "station_id: required"),
        (reserve(expires_at=None), grpc.StatusCode.INVALID_ARGUMENT, "expires_at: required"),
        (reserve(expires_at=timestamp(NOW)), grpc.StatusCode.INVALID_ARGUMENT, "not in the future"),
        (reserve(id_token=""), grpc.StatusCode.INVALID_ARGUMENT, "id_token: required"),
    ],
)
async def test_bad_requests_are_invalid_argument(
    servicer: AuthorizationServicer, request_: pb.ReserveNowRequest, code: grpc.StatusCode, message: str
) -> None:
    with pytest.raises(Aborted) as aborted:
        await servicer.ReserveNow(request_, CONTEXT)
    assert aborted.value.code == code and message in aborted.value.details


async def test_an_evse_already_reserved_is_a_failed_precondition(servicer: AuthorizationServicer) -> None:
    await servicer.ReserveNow(reserve(), CONTEXT)
    with pytest.raises(Aborted) as aborted:
        await servicer.ReserveNow(reserve(id_token="TAG-2"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.FAILED_PRECONDITION
    assert "EVSE 1 of CS-1 is reserved" in aborted.value.details


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (SendFailure.UNKNOWN_STATION, grpc.StatusCode.NOT_FOUND),
        (SendFailure.OFFLINE, grpc.StatusCode.FAILED_PRECONDITION),
        (SendFailure.INVALID, grpc.StatusCode.INVALID_ARGUMENT),
        (SendFailure.UNAVAILABLE, grpc.StatusCode.UNAVAILABLE),
    ],
)
async def test_what_device_model_refuses_keeps_its_kind(
    servicer: AuthorizationServicer, service: Service, failure: SendFailure, code: grpc.StatusCode
) -> None:
    service.reservation_commands.answers["reserve-now"] = CommandNotSent(failure, "device-model said why")
    with pytest.raises(Aborted) as aborted:
        await servicer.ReserveNow(reserve(), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (code, "device-model said why")


async def test_cancel_list_and_get(servicer: AuthorizationServicer, service: Service) -> None:
    await servicer.ReserveNow(reserve(), CONTEXT)
    await servicer.ReserveNow(reserve(evse_id=2, expires_at=timestamp(NOW + timedelta(minutes=1))), CONTEXT)
    await servicer.ReserveNow(reserve(station_id="CS-2"), CONTEXT)
    cancelled = await servicer.CancelReservation(
        pb.CancelReservationRequest(station_id="CS-1", reservation_id=1), CONTEXT
    )
    assert (cancelled.reservation.status, cancelled.station_status) == ("Cancelled", "accepted")
    service.clock.now = NOW + timedelta(minutes=2)
    got = await servicer.GetReservation(pb.GetReservationRequest(station_id="CS-1", reservation_id=2), CONTEXT)
    assert got.reservation.status == "Expired"
    listed = await servicer.ListReservations(pb.ListReservationsRequest(station_id="CS-1"), CONTEXT)
    assert [(r.reservation_id, r.status) for r in listed.reservations] == [(2, "Expired"), (1, "Cancelled")]
    active = await servicer.ListReservations(pb.ListReservationsRequest(active=True), CONTEXT)
    assert [(r.station_id, r.reservation_id) for r in active.reservations] == [("CS-2", 1)]
    expired = await servicer.ListReservations(pb.ListReservationsRequest(status="expired"), CONTEXT)
    assert [r.reservation_id for r in expired.reservations] == [2]


async def test_unknown_reservations_and_statuses(servicer: AuthorizationServicer) -> None:
    for call in (
        servicer.GetReservation(pb.GetReservationRequest(station_id="CS-1", reservation_id=9), CONTEXT),
        servicer.CancelReservation(pb.CancelReservationRequest(station_id="CS-1", reservation_id=9), CONTEXT),
    ):
        with pytest.raises(Aborted) as aborted:
            await call
        assert aborted.value.code == grpc.StatusCode.NOT_FOUND
    with pytest.raises(Aborted) as aborted:
        await servicer.ListReservations(pb.ListReservationsRequest(status="Booked"), CONTEXT)
    assert aborted.value.code == grpc.StatusCode.INVALID_ARGUMENT
    assert "status: one of Pending, Accepted" in aborted.value.details
