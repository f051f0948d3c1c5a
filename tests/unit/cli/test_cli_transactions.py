"""`csms transactions show|list|status` and `csms sessions start|stop` against a fake client: arguments,
output, exit codes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
import pytest

from csms.edge.v1 import edge_pb2
from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2
from csms_cli import exit_codes
from csms_cli.client import Addresses, RpcFailed
from csms_cli.main import run
from csms_kernel.infra.envelopes import timestamp

TRANSACTION = transactions_pb2.Transaction(
    station_id="CS-1",
    transaction_id="1001",
    ocpp_version=envelope_pb2.OCPP_VERSION_16,
    evse_id=1,
    connector_id=1,
    id_token=transactions_pb2.IdToken(id_token="TAG-1"),
    authorization_status="Accepted",
    started_at=timestamp(datetime(2026, 11, 21, 10, tzinfo=UTC)),
    meter_start_wh=1000,
    energy_wh=2500,
    state=transactions_pb2.TRANSACTION_STATE_ACTIVE,
    csms_transaction_id=1001,
)


@dataclass
class FakeClient:
    transactions: list[transactions_pb2.Transaction] = field(default_factory=lambda: [TRANSACTION])
    answer: str = '{"status": "Accepted"}'
    error: edge_pb2.CallError | None = None
    failure: Exception | None = None
    calls: list[tuple[object, ...]] = field(default_factory=list)
    addresses: Addresses | None = None

    def __call__(self, addresses: Addresses) -> FakeClient:
        self.addresses = addresses
        return self

    def _answered(self, response: transactions_pb2.StartSessionResponse) -> None:
        if self.error is not None:
            response.error.CopyFrom(self.error)
        else:
            response.result_json = self.answer
            response.status = json.loads(self.answer).get("status", "")

    def get_transaction(self, transaction_id: str, station_id: str) -> transactions_pb2.GetTransactionResponse:
        self.calls.append(("get_transaction", transaction_id, station_id))
        if self.failure:
            raise self.failure
        sample = transactions_pb2.SampledValue(
            sampled_at=timestamp(datetime(2026, 11, 21, 10, 15, tzinfo=UTC)),
            measurand="Energy.Active.Import.Register",
            location="Outlet",
            context="Sample.Periodic",
            value=3500,
            unit="Wh",
        )
        return transactions_pb2.GetTransactionResponse(transaction=self.transactions[0], samples=[sample])

    def list_transactions(
        self, request: transactions_pb2.ListTransactionsRequest, limit: int
    ) -> tuple[list[transactions_pb2.Transaction], bool]:
        self.calls.append(("list_transactions", request, limit))
        return self.transactions[:limit], len(self.transactions) > limit

    def start_session(
        self, station_id: str, id_token: transactions_pb2.IdToken, evse_id: int | None, timeout_s: float
    ) -> transactions_pb2.StartSessionResponse:
        self.calls.append(("start_session", station_id, id_token, evse_id, timeout_s))
        response = transactions_pb2.StartSessionResponse(message_id="m1")
        self._answered(response)
        return response

    def stop_session(
        self, station_id: str, transaction_id: str, timeout_s: float
    ) -> transactions_pb2.StopSessionResponse:
        self.calls.append(("stop_session", station_id, transaction_id, timeout_s))
        response = transactions_pb2.StopSessionResponse(message_id="m1")
        self._answered(response)  # type: ignore[arg-type]
        return response

    def get_transaction_status(
        self, station_id: str, transaction_id: str, timeout_s: float
    ) -> transactions_pb2.GetTransactionStatusResponse:
        self.calls.append(("get_transaction_status", station_id, transaction_id, timeout_s))
        if self.failure:
            raise self.failure
        return transactions_pb2.GetTransactionStatusResponse(message_id="m1", result_json=self.answer)

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSMS_TRANSACTIONS_ADDRESS", "tx.test:50053")


def test_show_prints_the_transaction_and_samples_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["transactions", "show", "1001", "--station", "CS-1", "--json"], client) == exit_codes.OK
    shown = json.loads(capsys.readouterr().out)
    assert shown["transaction"]["transaction_id"] == "1001" and shown["transaction"]["energy_wh"] == 2500
    assert shown["transaction"]["state"] == "TRANSACTION_STATE_ACTIVE"
    assert shown["samples"][0]["value"] == 3500
    assert client.calls == [("get_transaction", "1001", "CS-1")]
    assert client.addresses is not None and client.addresses.transactions == "tx.test:50053"


def test_show_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["transactions", "show", "1001"], FakeClient()) == exit_codes.OK
    out = capsys.readouterr().out
    assert "energy Wh:" in out and "2500" in out and "TAG-1 (idTag), Accepted" in out
    assert "2026-11-21T10:15:00Z  Energy.Active.Import.Register  3500 Wh  Outlet Sample.Periodic" in out


def test_show_an_unknown_transaction(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(failure=RpcFailed("transactions", grpc.StatusCode.NOT_FOUND, "no transaction 9"))
    assert run(["transactions", "show", "9"], client) == exit_codes.FAILED
    assert "transaction 9 not found" in capsys.readouterr().err


def test_list_passes_the_filters_and_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    argv = ["transactions", "list", "--station", "CS-1", "--token", "TAG-1", "--active"]
    argv += ["--since", "2026-11-21T00:00:00Z", "--until", "2026-11-22T00:00:00+00:00", "--limit", "5"]
    assert run(argv, client) == exit_codes.OK
    _, request, limit = client.calls[0]
    assert isinstance(request, transactions_pb2.ListTransactionsRequest) and limit == 5
    assert (request.station_id, request.id_token, request.active_only) == ("CS-1", "TAG-1", True)
    assert request.since.ToJsonString() == "2026-11-21T00:00:00Z"
    assert request.until.ToJsonString() == "2026-11-22T00:00:00Z"
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == "STATION TRANSACTION OCPP EVSE TOKEN STATE STARTED ENDED ENERGY Wh".split()
    assert lines[1].split() == ["CS-1", "1001", "1.6", "1/1", "TAG-1", "active", "2026-11-21T10:00:00Z", "-", "2500"]


def test_list_as_json_says_when_there_is_more(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(transactions=[TRANSACTION, TRANSACTION])
    assert run(["transactions", "list", "--json", "--limit", "1"], client) == exit_codes.OK
    captured = capsys.readouterr()
    assert [t["transaction_id"] for t in json.loads(captured.out)] == ["1001"]
    assert "more than 1" in captured.err


def test_bad_times_and_limits_are_usage_errors() -> None:
    assert run(["transactions", "list", "--since", "yesterday"], FakeClient()) == exit_codes.INVALID
    assert run(["transactions", "list", "--limit", "0"], FakeClient()) == exit_codes.INVALID


def test_status_prints_the_station_answer(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient(answer='{"messagesInQueue": false, "ongoingIndicator": true}')
    assert run(["transactions", "status", "CS-1", "tx-1", "--timeout", "5"], client) == exit_codes.OK
    assert json.loads(capsys.readouterr().out) == {"messagesInQueue": False, "ongoingIndicator": True}
    assert client.calls == [("get_transaction_status", "CS-1", "tx-1", 5.0)]


def test_status_of_a_1_6_station_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    failure = RpcFailed("transactions", grpc.StatusCode.FAILED_PRECONDITION, "OCPP 1.6 has no GetTransactionStatus")
    assert run(["transactions", "status", "CS-1"], FakeClient(failure=failure)) == exit_codes.OFFLINE
    assert "OCPP 1.6 has no GetTransactionStatus" in capsys.readouterr().err


def test_sessions_start_sends_the_token_and_evse(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    argv = ["sessions", "start", "CS-1", "--token", "TAG-1", "--token-type", "ISO14443", "--evse", "2"]
    assert run(argv, client) == exit_codes.OK
    token = transactions_pb2.IdToken(id_token="TAG-1", type="ISO14443")
    assert client.calls == [("start_session", "CS-1", token, 2, 30.0)]
    assert json.loads(capsys.readouterr().out) == {"status": "Accepted"}


def test_sessions_start_rejected_or_callerror_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["sessions", "start", "CS-1", "--token", "T"], FakeClient(answer='{"status": "Rejected"}')) == 1
    assert "answered Rejected" in capsys.readouterr().err
    error = edge_pb2.CallError(code="NotSupported", description="no")
    assert run(["sessions", "start", "CS-1", "--token", "T"], FakeClient(error=error)) == exit_codes.FAILED
    assert "CALLERROR NotSupported: no" in capsys.readouterr().err


def test_sessions_stop(capsys: pytest.CaptureFixture[str]) -> None:
    client = FakeClient()
    assert run(["sessions", "stop", "CS-1", "1001", "--timeout", "3"], client) == exit_codes.OK
    assert client.calls == [("stop_session", "CS-1", "1001", 3.0)]
