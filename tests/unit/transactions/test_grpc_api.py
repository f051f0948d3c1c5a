"""TransactionsServicer over in-memory ports: queries, and remote start/stop/status on every version."""

from __future__ import annotations

import json
from typing import Any

import grpc
import pytest

from csms.edge.v1 import edge_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.clients.station_calls import CallErrorAnswer, CallFailed, CallTimedOut, StationOffline
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.api.grpc_api import TransactionsServicer
from csms_transactions.bootstrap import build
from csms_transactions.settings import TransactionsSettings
from kit.fakes.grpc_context import CONTEXT, Aborted
from kit.fakes.station_calls import Answer, FakeStationCalls
from kit.fakes.transactions import InMemoryStateStore, InMemoryTransactionsRepository, ScriptedAuthorizer

pb = transactions_pb2


def servicer(
    repository: InMemoryTransactionsRepository | None = None, calls: FakeStationCalls | None = None
) -> TransactionsServicer:
    """The servicer of the wired service over these fakes."""
    api = build(
        TransactionsSettings(default_call_timeout_s=30.0),
        state=InMemoryStateStore(),
        authorizer=ScriptedAuthorizer({}),
        repository=repository or InMemoryTransactionsRepository(),
        station_calls=calls or FakeStationCalls(),
        remote_start_ids=lambda: 4711,
    ).grpc
    assert api is not None
    result: TransactionsServicer = api.servicer
    return result


def station(version: OcppVersion | Exception, answers: dict[str, Answer] | None = None) -> FakeStationCalls:
    """Station CS-1 of `version`, answering each action with its answer (Accepted when not given)."""
    actions = ("RemoteStartTransaction", "RemoteStopTransaction", "RequestStartTransaction", "RequestStopTransaction")
    scripted: dict[str, Answer] = {action: {"status": "Accepted"} for action in actions}
    scripted |= answers or {}
    return FakeStationCalls({"CS-1": version}, {("CS-1", action): answer for action, answer in scripted.items()})


def transaction(station_id: str, transaction_id: str, **fields: Any) -> pb.Transaction:
    return pb.Transaction(station_id=station_id, transaction_id=transaction_id, **fields)


async def test_get_transaction_with_its_samples() -> None:
    sample = pb.SampledValue(measurand="Voltage", value=230, unit="V")
    repository = InMemoryTransactionsRepository(
        rows={("CS-1", "1"): transaction("CS-1", "1")}, sample_rows={("CS-1", "1"): [sample]}
    )
    response = await servicer(repository).GetTransaction(pb.GetTransactionRequest(transaction_id="1"), CONTEXT)
    assert response == pb.GetTransactionResponse(transaction=transaction("CS-1", "1"), samples=[sample])


async def test_get_transaction_ambiguous_or_unknown() -> None:
    repository = InMemoryTransactionsRepository(
        rows={("CS-1", "1"): transaction("CS-1", "1"), ("CS-2", "1"): transaction("CS-2", "1")}
    )
    with pytest.raises(Aborted) as ambiguous:
        await servicer(repository).GetTransaction(pb.GetTransactionRequest(transaction_id="1"), CONTEXT)
    assert ambiguous.value.code == grpc.StatusCode.FAILED_PRECONDITION and "CS-1, CS-2" in ambiguous.value.details
    request = pb.GetTransactionRequest(transaction_id="1", station_id="CS-2")
    assert (await servicer(repository).GetTransaction(request, CONTEXT)).transaction.station_id == "CS-2"
    with pytest.raises(Aborted) as unknown:
        await servicer(repository).GetTransaction(pb.GetTransactionRequest(transaction_id="9"), CONTEXT)
    assert unknown.value.code == grpc.StatusCode.NOT_FOUND


async def test_list_transactions_passes_the_query_and_refuses_bad_arguments() -> None:
    repository = InMemoryTransactionsRepository(
        rows={("CS-1", "1"): transaction("CS-1", "1", state=pb.TRANSACTION_STATE_ACTIVE)}, next_token="next"
    )
    request = pb.ListTransactionsRequest(station_id="CS-1", id_token="T", active_only=True, page_size=5000)
    request.since.FromJsonString("2026-11-21T00:00:00Z")
    response = await servicer(repository).ListTransactions(request, CONTEXT)
    assert response.next_page_token == "next"
    query, page_size, _ = repository.queries[0]
    assert (query.station_id, query.id_token, query.active_only, query.until, page_size) == (
        "CS-1",
        "T",
        True,
        None,
        1000,
    )
    with pytest.raises(Aborted) as forged:
        await servicer(repository).ListTransactions(pb.ListTransactionsRequest(page_token="forged"), CONTEXT)
    assert forged.value.code == grpc.StatusCode.INVALID_ARGUMENT
    backwards = pb.ListTransactionsRequest()
    backwards.since.FromJsonString("2026-11-22T00:00:00Z")
    backwards.until.FromJsonString("2026-11-21T00:00:00Z")
    with pytest.raises(Aborted) as reversed_range:
        await servicer(repository).ListTransactions(backwards, CONTEXT)
    assert reversed_range.value.code == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("version", "action", "payload", "remote_start_id"),
    [
        (OcppVersion.V16, "RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 2}, None),
        (
            OcppVersion.V201,
            "RequestStartTransaction",
            {"idToken": {"idToken": "TAG-1", "type": "Central"}, "remoteStartId": 4711, "evseId": 2},
            4711,
        ),
        (
            OcppVersion.V21,
            "RequestStartTransaction",
            {"idToken": {"idToken": "TAG-1", "type": "Central"}, "remoteStartId": 4711, "evseId": 2},
            4711,
        ),
    ],
)
async def test_start_session_on_every_version(
    version: OcppVersion, action: str, payload: dict[str, Any], remote_start_id: int | None
) -> None:
    calls = station(version)
    request = pb.StartSessionRequest(
        station_id="CS-1", id_token=pb.IdToken(id_token="TAG-1"), evse_id=2, timeout_ms=5000
    )
    response = await servicer(calls=calls).StartSession(request, CONTEXT)
    assert calls.calls == [("CS-1", action, payload, 5.0)]
    expected = pb.StartSessionResponse(status="Accepted", message_id="csms-1", result_json='{"status": "Accepted"}')
    if remote_start_id is not None:
        expected.remote_start_id = remote_start_id
    assert response == expected


async def test_start_session_without_evse_uses_the_token_type_and_default_timeout() -> None:
    calls = station(OcppVersion.V201, {"RequestStartTransaction": {"status": "Rejected"}})
    request = pb.StartSessionRequest(station_id="CS-1", id_token=pb.IdToken(id_token="E1", type="eMAID"))
    response = await servicer(calls=calls).StartSession(request, CONTEXT)
    assert calls.calls == [
        (
            "CS-1",
            "RequestStartTransaction",
            {"idToken": {"idToken": "E1", "type": "eMAID"}, "remoteStartId": 4711},
            30.0,
        )
    ]
    assert response == pb.StartSessionResponse(
        status="Rejected", remote_start_id=4711, message_id="csms-1", result_json='{"status": "Rejected"}'
    )


@pytest.mark.parametrize(
    ("version", "action", "payload"),
    [
        (OcppVersion.V16, "RemoteStopTransaction", {"transactionId": 1001}),
        (OcppVersion.V201, "RequestStopTransaction", {"transactionId": "1001"}),
        (OcppVersion.V21, "RequestStopTransaction", {"transactionId": "1001"}),
    ],
)
async def test_stop_session_on_every_version(version: OcppVersion, action: str, payload: dict[str, Any]) -> None:
    calls = station(version)
    request = pb.StopSessionRequest(station_id="CS-1", transaction_id="1001")
    response = await servicer(calls=calls).StopSession(request, CONTEXT)
    assert calls.calls == [("CS-1", action, payload, 30.0)]
    assert response == pb.StopSessionResponse(
        status="Accepted", message_id="csms-1", result_json='{"status": "Accepted"}'
    )


async def test_a_1_6_stop_needs_an_integer_id() -> None:
    calls = station(OcppVersion.V16)
    with pytest.raises(Aborted) as refused:
        await servicer(calls=calls).StopSession(
            pb.StopSessionRequest(station_id="CS-1", transaction_id="tx-1"), CONTEXT
        )
    assert refused.value.code == grpc.StatusCode.INVALID_ARGUMENT and calls.calls == []


async def test_the_station_callerror_is_returned() -> None:
    callerror = CallErrorAnswer("NotSupported", "no remote start here", '{"reason": "none"}', "m9")
    calls = station(OcppVersion.V201, {"RequestStartTransaction": callerror})
    request = pb.StartSessionRequest(station_id="CS-1", id_token=pb.IdToken(id_token="T"))
    response = await servicer(calls=calls).StartSession(request, CONTEXT)
    error = edge_pb2.CallError(
        code="NotSupported", description="no remote start here", details_json='{"reason": "none"}'
    )
    assert response == pb.StartSessionResponse(message_id="m9", error=error, remote_start_id=4711)


@pytest.mark.parametrize(
    "failure",
    [
        StationOffline("station CS-1 is offline"),
        CallTimedOut("station CS-1 did not answer in time"),
        CallFailed("device-model INVALID_ARGUMENT: payload not valid", grpc.StatusCode.INVALID_ARGUMENT),
        CallFailed("device-model UNAVAILABLE: connection refused", grpc.StatusCode.UNAVAILABLE),
    ],
)
async def test_a_call_without_answer_reports_its_status(failure: StationOffline | CallTimedOut | CallFailed) -> None:
    calls = station(OcppVersion.V201, {"RequestStopTransaction": failure})
    with pytest.raises(Aborted) as aborted:
        await servicer(calls=calls).StopSession(pb.StopSessionRequest(station_id="CS-1", transaction_id="t"), CONTEXT)
    assert (aborted.value.code, aborted.value.details) == (failure.status, str(failure))


@pytest.mark.parametrize(
    ("failure", "code"),
    [
        (StationOffline("station CS-1 is offline"), grpc.StatusCode.FAILED_PRECONDITION),
        (StationOffline("station CS-1 has never connected", grpc.StatusCode.NOT_FOUND), grpc.StatusCode.NOT_FOUND),
    ],
)
async def test_offline_or_unknown_stations_are_not_called(failure: StationOffline, code: grpc.StatusCode) -> None:
    calls = station(failure)
    with pytest.raises(Aborted) as aborted:
        await servicer(calls=calls).StopSession(pb.StopSessionRequest(station_id="CS-1", transaction_id="t"), CONTEXT)
    assert (aborted.value.code, aborted.value.details, calls.calls) == (code, str(failure), [])


async def test_transaction_status_on_2_x_and_refused_on_1_6() -> None:
    answer = {"messagesInQueue": True, "ongoingIndicator": False}
    calls = station(OcppVersion.V21, {"GetTransactionStatus": answer})
    request = pb.GetTransactionStatusRequest(station_id="CS-1", transaction_id="tx-1")
    response = await servicer(calls=calls).GetTransactionStatus(request, CONTEXT)
    assert calls.calls == [("CS-1", "GetTransactionStatus", {"transactionId": "tx-1"}, 30.0)]
    assert response == pb.GetTransactionStatusResponse(
        messages_in_queue=True, ongoing_indicator=False, message_id="csms-1", result_json=json.dumps(answer)
    )
    everything = station(OcppVersion.V201, {"GetTransactionStatus": {"messagesInQueue": False}})
    response = await servicer(calls=everything).GetTransactionStatus(
        pb.GetTransactionStatusRequest(station_id="CS-1"), CONTEXT
    )
    assert everything.calls == [("CS-1", "GetTransactionStatus", {}, 30.0)]
    assert response == pb.GetTransactionStatusResponse(message_id="csms-1", result_json='{"messagesInQueue": false}')
    with pytest.raises(Aborted) as refused:
        await servicer(calls=station(OcppVersion.V16)).GetTransactionStatus(request, CONTEXT)
    assert refused.value.code == grpc.StatusCode.FAILED_PRECONDITION
