"""`/api/v1/reservations` and `/api/v1/stations/{id}/reservations`: create (201 once the station accepted; 409 with
the station's status when it refused, offline, already reserved; 422 bad input; 504 no answer), list with filters and
cursors, get, cancel; a station's Available connectors held by an active reservation show Reserved."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import grpc
import pytest

from csms.authorization.v1 import authorization_pb2 as authz
from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.domain.keys import Scope
from csms_kernel.infra.envelopes import timestamp
from kit.builders.api import NOW, Api

UNTIL = NOW + timedelta(minutes=15)
BODY = {"station_id": "CP-1", "evse_id": 1, "id_token": "TAG-1", "expires_at": "2026-12-06T12:15:00Z"}


async def create(api: Api, body: dict[str, Any] | None = None, **params: Any) -> Any:
    async with await api.as_(Scope.OPERATE) as client:
        return await client.post("/api/v1/reservations", json=body or BODY, params=params)


async def test_create_answers_201_with_the_reservation_and_its_location(api: Api) -> None:
    answer = await create(
        api, {**BODY, "group_id_token": "FLEET", "token_type": "ISO14443", "connector_type": "cType2"}, timeout=5
    )
    assert answer.status_code == 201, answer.text
    assert answer.headers["Location"] == "/api/v1/reservations/CP-1:1"
    assert answer.json() == {
        "id": "CP-1:1",
        "station_id": "CP-1",
        "reservation_id": 1,
        "evse_id": 1,
        "connector_type": "cType2",
        "id_token": "TAG-1",
        "token_type": "ISO14443",
        "group_id_token": "FLEET",
        "expires_at": "2026-12-06T12:15:00Z",
        "status": "Accepted",
    }
    expected = authz.ReserveNowRequest(
        station_id="CP-1",
        evse_id=1,
        connector_type="cType2",
        id_token="TAG-1",
        token_type="ISO14443",
        group_id_token="FLEET",
        expires_at=timestamp(UNTIL),
        timeout_ms=5000,
    )
    assert api.authorization.requests("reserve_now") == [expected]
    assert api.authorization.deadlines == [5 + 10 + 5 + 10]


async def test_the_idempotency_key_reaches_the_service(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        await client.post("/api/v1/reservations", json=BODY, headers={"Idempotency-Key": "op-1"})
    assert api.authorization.requests("reserve_now")[0].request_key == "op-1"


async def test_a_station_that_refuses_is_a_409_naming_its_status(api: Api) -> None:
    api.authorization.reserve_answer = "occupied"
    answer = await create(api)
    assert answer.status_code == 409
    assert answer.json()["detail"] == "station CP-1 refused reservation CP-1:1: Occupied"


async def test_no_answer_in_time_is_a_504(api: Api) -> None:
    api.authorization.reserve_answer = ""
    answer = await create(api)
    assert answer.status_code == 504
    assert answer.json()["detail"] == "station CP-1 did not answer ReserveNow; reservation CP-1:1 is Refused"


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        (grpc.StatusCode.NOT_FOUND, 404, "unknown station CP-1"),
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "station CP-1 is offline"),
        (grpc.StatusCode.FAILED_PRECONDITION, 409, "EVSE 1 of CP-1 is reserved until ..."),
        (grpc.StatusCode.INVALID_ARGUMENT, 422, "connector_type: OCPP 1.6 cannot reserve a connector type"),
    ],
)
async def test_service_refusals_become_clear_problems(
    api: Api, code: grpc.StatusCode, status: int, message: str
) -> None:
    api.authorization.fail("reserve_now", code, message)
    answer = await create(api)
    assert (answer.status_code, answer.json()["detail"]) == (status, message)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**BODY, "expires_at": "2026-12-06T11:59:00Z"}, "body.expires_at"),
        ({**BODY, "expires_at": "2026-12-06T12:15:00"}, "body.expires_at"),
        ({**BODY, "evse_id": -1}, "body.evse_id"),
        ({**BODY, "id_token": ""}, "body.id_token"),
        ({**BODY, "token_type": "Card"}, "body.token_type"),
        ({**BODY, "colour": "red"}, "body.colour"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(api: Api, body: dict[str, Any], field: str) -> None:
    answer = await create(api, body)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == [field]
    assert api.authorization.requests("reserve_now") == []


async def test_list_filters_and_pages(api: Api) -> None:
    for evse in (1, 2, 3):
        await create(api, {**BODY, "evse_id": evse})
    await create(api, {**BODY, "station_id": "CP-2"})
    api.authorization.reservations["CP-1", 2].status = "Expired"
    async with await api.as_(Scope.READ) as client:
        first = (await client.get("/api/v1/reservations", params={"limit": 2})).json()
        second = (await client.get("/api/v1/reservations", params={"limit": 2, "cursor": first["next_cursor"]})).json()
        active = (await client.get("/api/v1/stations/CP-1/reservations", params={"active": "true"})).json()
        inactive = (await client.get("/api/v1/reservations", params={"active": "false"})).json()
        expired = (await client.get("/api/v1/reservations", params={"status": "Expired", "station_id": "CP-1"})).json()
        bad = await client.get("/api/v1/reservations", params={"status": "Booked"})
    assert [r["id"] for r in first["items"] + second["items"]] == ["CP-1:1", "CP-1:2", "CP-1:3", "CP-2:1"]
    assert second["next_cursor"] is None
    assert [r["id"] for r in active["items"]] == ["CP-1:1", "CP-1:3"]
    assert [r["id"] for r in inactive["items"]] == ["CP-1:2"]
    assert [r["id"] for r in expired["items"]] == ["CP-1:2"]
    assert bad.status_code == 422
    assert api.authorization.requests("list_reservations")[2] == authz.ListReservationsRequest(
        station_id="CP-1", active=True
    )


async def test_get_and_cancel(api: Api) -> None:
    await create(api)
    async with await api.as_(Scope.OPERATE) as client:
        got = await client.get("/api/v1/reservations/CP-1:1")
        cancelled = await client.delete("/api/v1/reservations/CP-1:1", params={"timeout": 5})
        again = await client.delete("/api/v1/reservations/CP-1:1")
        unknown = await client.get("/api/v1/reservations/CP-1:9")
        malformed = await client.get("/api/v1/reservations/CP-1")
    assert (got.status_code, got.json()["status"]) == (200, "Accepted")
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "Cancelled")
    assert (again.status_code, again.json()["status"]) == (200, "Cancelled")
    assert api.authorization.requests("cancel_reservation")[0] == authz.CancelReservationRequest(
        station_id="CP-1", reservation_id=1, timeout_ms=5000
    )
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "no reservation 9 of CP-1")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "path.reservation_id"


async def test_a_cancel_the_station_refuses_is_a_409(api: Api) -> None:
    api.authorization.reservations["CP-1", 1] = authz.Reservation(
        station_id="CP-1", reservation_id=1, status="Accepted"
    )

    async def refuses(request: authz.CancelReservationRequest, deadline_s: float) -> authz.CancelReservationResponse:
        return authz.CancelReservationResponse(
            reservation=api.authorization.reservations["CP-1", 1], station_status="rejected"
        )

    api.authorization.cancel_reservation = refuses  # type: ignore[method-assign]
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.delete("/api/v1/reservations/CP-1:1")
    assert (answer.status_code, answer.json()["detail"]) == (409, "station CP-1 refused to cancel: Rejected")


async def test_a_station_shows_reserved_on_the_available_connectors_its_reservations_hold(api: Api) -> None:
    api.authorization.register("CP-1")
    station = api.device_model.connect("CP-1")
    station.connectors.extend(
        [
            dm.ConnectorStatus(evse_id=1, connector_id=1, status="Available"),
            dm.ConnectorStatus(evse_id=2, connector_id=1, status="Available"),
            dm.ConnectorStatus(evse_id=3, connector_id=1, status="Charging"),
        ]
    )
    await create(api, {**BODY, "evse_id": 1})
    await create(api, {**BODY, "evse_id": 3})
    await create(api, {**BODY, "evse_id": 2})
    api.authorization.reservations["CP-1", 3].status = "Cancelled"
    async with await api.as_(Scope.READ) as client:
        one = (await client.get("/api/v1/stations/CP-1")).json()
        listed = (await client.get("/api/v1/stations")).json()
    shown = [(c["evse_id"], c["status"], c["reserved_by"]) for c in one["connectors"]]
    assert shown == [(1, "Reserved", "CP-1:1"), (2, "Available", None), (3, "Charging", None)]
    assert listed["items"][0]["connectors"] == one["connectors"]


async def test_a_whole_station_reservation_holds_every_evse_unless_it_names_a_connector_type(api: Api) -> None:
    api.authorization.register("CP-1")
    station = api.device_model.connect("CP-1")
    station.connectors.extend(
        [
            dm.ConnectorStatus(evse_id=1, connector_id=1, status="Available"),
            dm.ConnectorStatus(evse_id=2, connector_id=1, status="Available"),
        ]
    )
    await create(api, {**BODY, "evse_id": 0, "connector_type": "cType2"})
    async with await api.as_(Scope.READ) as client:
        typed = (await client.get("/api/v1/stations/CP-1")).json()
    assert [c["status"] for c in typed["connectors"]] == ["Available", "Available"]
    api.authorization.reservations["CP-1", 1].connector_type = ""
    async with await api.as_(Scope.READ) as client:
        whole = (await client.get("/api/v1/stations/CP-1")).json()
    assert [c["reserved_by"] for c in whole["connectors"]] == ["CP-1:1", "CP-1:1"]
