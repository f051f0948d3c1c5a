"""1.6 StopTransaction through the 1.6 routing table: end, transactionData, idTagInfo, unknown ids, duplicates."""

from __future__ import annotations

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.transactions import STATION, Csms, at, energy, event

VERSION = OcppVersion.V16
START = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 1000, "timestamp": "2026-11-21T10:00:00Z"}
STOP = {
    "transactionId": 1001,
    "meterStop": 8500,
    "timestamp": "2026-11-21T11:00:00Z",
    "reason": "EVDisconnected",
    "transactionData": [
        {
            "timestamp": "2026-11-21T11:00:00Z",
            "sampledValue": [{"value": "8.5", "unit": "kWh", "context": "Transaction.End"}],
        }
    ],
}
TAG_1 = transactions_pb2.IdToken(id_token="TAG-1")


async def started(csms: Csms) -> None:
    await csms.result("StartTransaction", START, message_id="start")


async def test_ends_the_transaction_with_its_data_and_closes_the_session() -> None:
    csms = Csms(VERSION)
    await started(csms)
    assert await csms.result("StopTransaction", STOP) == {}
    answer = await csms.send("StopTransaction", STOP)
    ended = transactions_pb2.TransactionEnded(
        ended_at=timestamp(at(11)),
        meter_stop_wh=8500.0,
        stop_reason="EVDisconnected",
        meter_values=[energy(8500.0, at(11), "Transaction.End", raw="8.5", unit="kWh", fmt="Raw")],
    )
    assert answer.events == [event(VERSION, "1001", at(11), first_seen_at=at(10), session_token=TAG_1, ended=ended)]
    assert csms.state.sessions == set()
    assert csms.state.states[(STATION, "1001")].ended


async def test_answers_the_decision_for_the_id_tag_that_stops() -> None:
    csms = Csms(VERSION)
    await started(csms)
    stop = {**STOP, "idTag": "TAG-2"}
    assert await csms.result("StopTransaction", stop) == {"idTagInfo": {"status": "Accepted"}}
    ended = (await csms.send("StopTransaction", stop)).events[0].ended
    assert ended.id_token == transactions_pb2.IdToken(id_token="TAG-2")
    assert ended.authorization.status == "Accepted"


async def test_a_stop_for_an_unknown_id_is_accepted_and_reported_as_unknown() -> None:
    csms = Csms(VERSION)
    for transaction_id in (777, -5, 2**40):
        stop = {**STOP, "transactionId": transaction_id, "transactionData": []}
        assert await csms.result("StopTransaction", stop, message_id=f"m{transaction_id}") == {}
        answer = await csms.send("StopTransaction", stop, message_id=f"m{transaction_id}")
        ended = transactions_pb2.TransactionEnded(
            ended_at=timestamp(at(11)), meter_stop_wh=8500.0, stop_reason="EVDisconnected", unknown_transaction=True
        )
        assert answer.events == [
            event(VERSION, str(transaction_id), at(11), message_id=f"m{transaction_id}", ended=ended)
        ]


async def test_an_id_of_another_station_is_unknown_here() -> None:
    csms = Csms(VERSION)
    await started(csms)
    answer = await csms.send("StopTransaction", STOP, station_id="CS-2")
    assert answer.events[0].ended.unknown_transaction


async def test_a_duplicate_stop_is_answered_but_reported_once() -> None:
    csms = Csms(VERSION)
    await started(csms)
    first = await csms.send("StopTransaction", STOP)
    duplicate = await csms.send("StopTransaction", STOP, message_id="msg-2")
    assert len(first.events) == 1 and duplicate.events == [] and not duplicate.is_error


async def test_a_start_arriving_after_its_stop_does_not_reopen_the_session() -> None:
    csms = Csms(VERSION)
    await started(csms)
    await csms.send("StopTransaction", STOP)
    await csms.send("StartTransaction", START, message_id="start")  # redelivered late
    assert csms.state.sessions == set() and csms.state.states[(STATION, "1001")].ended


async def test_no_reason_means_local() -> None:
    csms = Csms(VERSION)
    await started(csms)
    stop = {key: value for key, value in STOP.items() if key != "reason"}
    assert (await csms.send("StopTransaction", stop)).events[0].ended.stop_reason == "Local"
