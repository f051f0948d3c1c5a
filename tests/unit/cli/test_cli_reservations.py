"""`csms reservations create|list|show|cancel` against a fake client: exact output, requests and exit codes."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_cli import exit_codes
from csms_cli.client import AUTHORIZATION, RpcFailed
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.cli_client import FakeClient

UNTIL = datetime(2026, 12, 6, 18, 0, tzinfo=UTC)
MADE = pb.Reservation(
    station_id="CS-1",
    reservation_id=3,
    id_token="TAG-1",
    token_type="Central",
    group_id_token="FLEET",
    evse_id=2,
    expires_at=timestamp(UNTIL),
    status="Accepted",
)
WHOLE = pb.Reservation(
    station_id="CS-2",
    reservation_id=1,
    id_token="TAG-2",
    connector_type="cType2",
    expires_at=timestamp(UNTIL),
    status="Expired",
)


def test_create_sends_the_request_and_prints_the_reservation(
    client: FakeClient, capsys: pytest.CaptureFixture[str]
) -> None:
    client.reserve_answer = pb.ReserveNowResponse(reservation=MADE, station_status="accepted")
    argv = ["reservations", "create", "CS-1", "--evse", "2", "--id-token", "TAG-1", "--group", "FLEET"]
    assert run([*argv, "--expires-at", "2026-12-06T18:00:00Z", "--request-key", "k1", "--timeout", "5"], client) == 0
    assert capsys.readouterr().out == (
        "id:         CS-1:3\n"
        "evse:       2\n"
        "id token:   TAG-1\n"
        "group:      FLEET\n"
        "expires at: 2026-12-06T18:00:00Z\n"
        "status:     Accepted\n"
    )
    expected = pb.ReserveNowRequest(
        station_id="CS-1",
        evse_id=2,
        id_token="TAG-1",
        group_id_token="FLEET",
        request_key="k1",
        timeout_ms=5000,
        expires_at=timestamp(UNTIL),
    )
    assert client.calls == [("reserve_now", expected)]


def test_create_with_expires_in_counts_from_now(client: FakeClient) -> None:
    client.reserve_answer = pb.ReserveNowResponse(reservation=MADE, station_status="accepted")
    before = datetime.now(UTC)
    assert run(["reservations", "create", "CS-1", "--id-token", "T", "--expires-in", "600", "--json"], client) == 0
    sent = client.calls[0][1]
    assert isinstance(sent, pb.ReserveNowRequest)
    assert 599 <= (sent.expires_at.ToDatetime(UTC) - before).total_seconds() <= 601


@pytest.mark.parametrize(
    ("station_status", "code", "error"),
    [
        ("occupied", exit_codes.FAILED, "error: CS-1:3: the station refused: Occupied\n"),
        ("", exit_codes.TIMEOUT, "error: CS-1:3: the station did not answer in time (Refused)\n"),
    ],
)
def test_create_refused_or_unanswered(
    client: FakeClient, capsys: pytest.CaptureFixture[str], station_status: str, code: int, error: str
) -> None:
    refused = pb.Reservation()
    refused.CopyFrom(MADE)
    refused.status = "Refused"
    client.reserve_answer = pb.ReserveNowResponse(reservation=refused, station_status=station_status)
    assert run(["reservations", "create", "CS-1", "--id-token", "T", "--expires-in", "60"], client) == code
    assert capsys.readouterr() == ("", error)


@pytest.mark.parametrize(
    ("grpc_code", "exit_code"),
    [(grpc.StatusCode.FAILED_PRECONDITION, exit_codes.OFFLINE), (grpc.StatusCode.INVALID_ARGUMENT, exit_codes.INVALID)],
)
def test_create_service_refusals(
    client: FakeClient, capsys: pytest.CaptureFixture[str], grpc_code: grpc.StatusCode, exit_code: int
) -> None:
    client.errors["reserve_now"] = RpcFailed(AUTHORIZATION, grpc_code, "EVSE 2 of CS-1 is reserved until ...")
    assert run(["reservations", "create", "CS-1", "--id-token", "T", "--expires-in", "60"], client) == exit_code
    assert capsys.readouterr().err == "error: EVSE 2 of CS-1 is reserved until ...\n"


@pytest.mark.parametrize(
    ("expires_at", "error"),
    [
        ("tomorrow", "error: --expires-at: not an ISO 8601 time: tomorrow\n"),
        ("2026-12-06T18:00:00", "error: --expires-at: give a time zone, e.g. 2026-12-06T18:00:00Z\n"),
    ],
)
def test_create_bad_expiry(client: FakeClient, capsys: pytest.CaptureFixture[str], expires_at: str, error: str) -> None:
    assert run(["reservations", "create", "CS-1", "--id-token", "T", "--expires-at", expires_at], client) == 4
    assert capsys.readouterr().err == error
    assert client.calls == []


def test_list_prints_a_table_and_passes_the_filters(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.reservations = [MADE, WHOLE]
    assert run(["reservations", "list", "--station", "CS-1", "--status", "Accepted", "--active"], client) == 0
    assert capsys.readouterr().out == (
        "ID      EVSE              ID TOKEN  GROUP  EXPIRES               STATUS\n"
        "CS-1:3  2                 TAG-1     FLEET  2026-12-06T18:00:00Z  Accepted\n"
        "CS-2:1  station (cType2)  TAG-2     -      2026-12-06T18:00:00Z  Expired\n"
    )
    assert client.calls == [
        ("list_reservations", pb.ListReservationsRequest(station_id="CS-1", status="Accepted", active=True))
    ]


def test_show_json_and_not_found(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    client.reservations = [MADE]
    assert run(["reservations", "show", "CS-1:3", "--json"], client) == 0
    assert json.loads(capsys.readouterr().out) == {
        "id": "CS-1:3",
        "station_id": "CS-1",
        "reservation_id": 3,
        "evse_id": 2,
        "connector_type": None,
        "id_token": "TAG-1",
        "token_type": "Central",
        "group_id_token": "FLEET",
        "expires_at": "2026-12-06T18:00:00Z",
        "status": "Accepted",
    }
    assert run(["reservations", "show", "CS-1:9"], client) == 1
    assert capsys.readouterr().err == "error: reservation CS-1:9 not found\n"
    assert run(["reservations", "show", "CS-1"], client) == 4
    assert capsys.readouterr().err == "error: expected STATION:ID, e.g. CS-1:3, not CS-1\n"


def test_cancel(client: FakeClient, capsys: pytest.CaptureFixture[str]) -> None:
    cancelled = pb.Reservation(station_id="CS-1", reservation_id=3, status="Cancelled")
    client.cancel_answer = pb.CancelReservationResponse(reservation=cancelled, station_status="accepted")
    assert run(["reservations", "cancel", "CS-1:3", "--timeout", "5"], client) == 0
    assert capsys.readouterr().out == "CS-1:3 Cancelled\n"
    assert client.calls == [
        ("cancel_reservation", pb.CancelReservationRequest(station_id="CS-1", reservation_id=3, timeout_ms=5000))
    ]
    client.cancel_answer = pb.CancelReservationResponse(reservation=MADE, station_status="rejected")
    assert run(["reservations", "cancel", "CS-1:3"], client) == 1
    assert capsys.readouterr().err == "error: CS-1:3: the station refused: Rejected\n"
