"""Remote start and stop: the request reaches TransactionsService with the station's timeout and a deadline
that covers it, and the station's own answer (CALLRESULT or CALLERROR) comes back."""

from __future__ import annotations

import grpc

from csms.edge.v1 import edge_pb2
from csms.transactions.v1 import transactions_pb2 as tx
from csms_api.domain.keys import Scope
from kit.builders.api import Api


async def test_start_sends_the_token_and_answers_the_station_s_answer(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post(
            "/api/v1/stations/CP-1/sessions?timeout=12",
            json={"id_token": "TAG-1", "token_type": "ISO14443", "evse_id": 2},
        )
    assert answer.status_code == 200
    assert answer.json() == {
        "station_id": "CP-1",
        "status": "Accepted",
        "message_id": "m-start",
        "result": {"status": "Accepted"},
        "call_error": None,
        "remote_start_id": 7,
    }
    assert api.transactions.requests("start_session") == [
        tx.StartSessionRequest(
            station_id="CP-1", id_token=tx.IdToken(id_token="TAG-1", type="ISO14443"), evse_id=2, timeout_ms=12_000
        )
    ]
    assert api.transactions.deadlines == [27.0]  # a station lookup (10 s) + the call's deadline (12 + 5 s)


async def test_a_call_error_answer_comes_back_as_such(api: Api) -> None:
    api.transactions.stop_answer = tx.StopSessionResponse(
        message_id="m-9",
        error=edge_pb2.CallError(code="NotSupported", description="no", details_json='{"reason": "x"}'),
    )
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/sessions/TX-1/stop")
    assert answer.json() == {
        "station_id": "CP-1",
        "status": None,
        "message_id": "m-9",
        "result": None,
        "call_error": {"code": "NotSupported", "description": "no", "details": {"reason": "x"}},
        "remote_start_id": None,
    }
    assert api.transactions.requests("start_session") == []
    assert api.transactions.requests("stop_session") == [
        tx.StopSessionRequest(station_id="CP-1", transaction_id="TX-1", timeout_ms=30_000)
    ]


async def test_an_offline_station_is_409_and_silence_is_504(api: Api) -> None:
    api.transactions.fail("start_session", grpc.StatusCode.FAILED_PRECONDITION, "station CP-1 is offline")
    api.transactions.fail("stop_session", grpc.StatusCode.DEADLINE_EXCEEDED, "no answer in time")
    async with await api.as_(Scope.OPERATE) as client:
        offline = await client.post("/api/v1/stations/CP-1/sessions", json={"id_token": "TAG-1"})
        silent = await client.post("/api/v1/stations/CP-1/sessions/TX-1/stop")
    assert (offline.status_code, offline.json()["detail"]) == (409, "station CP-1 is offline")
    assert (silent.status_code, silent.json()["detail"]) == (504, "transactions service: no answer in time")


async def test_a_start_without_a_token_is_422(api: Api) -> None:
    async with await api.as_(Scope.OPERATE) as client:
        answer = await client.post("/api/v1/stations/CP-1/sessions?timeout=0", json={"evse_id": -1})
    assert sorted(error["field"] for error in answer.json()["errors"]) == [
        "body.evse_id",
        "body.id_token",
        "query.timeout",
    ]
