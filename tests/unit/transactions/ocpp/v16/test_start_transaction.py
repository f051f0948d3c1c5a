"""1.6 StartTransaction through the 1.6 routing table: allocation, decision, ConcurrentTx, idempotency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision, Token
from kit.builders.transactions import NOW, STATION, Csms, at, event

VERSION = OcppVersion.V16
START = {"connectorId": 2, "idTag": "TAG-1", "meterStart": 1500, "timestamp": "2026-11-21T10:00:00Z"}
TAG_1 = transactions_pb2.IdToken(id_token="TAG-1")


def started(decision: str = "Accepted", **extra: object) -> transactions_pb2.TransactionStarted:
    return transactions_pb2.TransactionStarted(
        evse_id=2,
        connector_id=1,
        id_token=TAG_1,
        authorization=transactions_pb2.AuthorizationDecision(status=decision),
        started_at=timestamp(at(10)),
        meter_start_wh=1500.0,
        **extra,  # type: ignore[arg-type]
    )


async def test_allocates_an_id_answers_the_decision_and_reports_the_start() -> None:
    csms = Csms(VERSION)
    assert await csms.result("StartTransaction", START) == {"transactionId": 1001, "idTagInfo": {"status": "Accepted"}}
    answer = await csms.send("StartTransaction", START)
    assert answer.events == [event(VERSION, "1001", at(10), session_token=TAG_1, started=started())]
    assert csms.state.allocated == {1001: (STATION, "msg-1")}
    assert csms.state.sessions == {("TAG-1", STATION, "1001")}
    assert csms.authorizer.calls[0] == (STATION, Token("TAG-1"), VERSION, NOW, 2)  # connector 2: EVSE 2


async def test_a_redelivered_frame_gets_the_same_answer_and_event_a_duplicate_only_the_answer() -> None:
    csms = Csms(VERSION)
    first = await csms.send("StartTransaction", START)
    csms.authorizer.decisions.clear()  # the token was blocked meanwhile: the answer given stands
    again = await csms.send("StartTransaction", START)
    duplicate = await csms.send("StartTransaction", START, message_id="msg-2")
    assert again == first
    assert duplicate.frame == first.frame.replace("msg-1", "msg-2") and duplicate.events == []
    assert list(csms.state.allocated) == [1001] and len(csms.authorizer.calls) == 1


async def test_reports_a_reservation_and_expiry_and_parent_of_the_token() -> None:
    expiry = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    csms = Csms(VERSION)
    csms.authorizer.decisions["TAG-1"] = Decision("Accepted", expiry, Token("GROUP-7", "Central"))
    result = await csms.result("StartTransaction", {**START, "reservationId": 42})
    assert result["idTagInfo"] == {
        "status": "Accepted",
        "expiryDate": "2026-12-31T23:00:00.000Z",
        "parentIdTag": "GROUP-7",
    }
    answer = await csms.send("StartTransaction", {**START, "reservationId": 42})
    authorization = transactions_pb2.AuthorizationDecision(
        status="Accepted", expiry=timestamp(expiry), group_id_token="GROUP-7"
    )
    expected = started(reservation_id=42)
    expected.authorization.CopyFrom(authorization)
    assert answer.events[0].started == expected


async def test_an_unknown_token_gets_the_authorization_service_decision() -> None:
    csms = Csms(VERSION)
    result = await csms.result("StartTransaction", {**START, "idTag": "NOBODY"})
    assert result == {"transactionId": 1001, "idTagInfo": {"status": "Invalid"}}


async def test_concurrent_tx_when_the_token_is_charging_elsewhere_unless_switched_off() -> None:
    csms = Csms(VERSION)
    await csms.result("StartTransaction", START, station_id="CS-OTHER")
    second = await csms.result("StartTransaction", START, message_id="msg-2")
    assert second == {"transactionId": 1002, "idTagInfo": {"status": "ConcurrentTx"}}
    relaxed = Csms(VERSION, state=csms.state, concurrent_tx=False)
    third = await relaxed.result("StartTransaction", {**START, "connectorId": 3}, message_id="msg-3")
    assert third == {"transactionId": 1003, "idTagInfo": {"status": "Accepted"}}


async def test_ids_taken_are_skipped() -> None:
    csms = Csms(VERSION)
    csms.state.allocated[1001] = ("CS-9", "m")
    assert (await csms.result("StartTransaction", START))["transactionId"] == 1002


async def test_authorization_unavailable_leaves_the_frame_unanswered_for_a_retry() -> None:
    csms = Csms(VERSION)
    csms.authorizer.down = True
    with pytest.raises(RetryableError):
        await csms.send("StartTransaction", START)
    assert csms.state.handled_messages == {}


async def test_another_id_tag_at_the_same_connector_and_time_is_another_transaction() -> None:
    csms = Csms(VERSION)
    first = await csms.result("StartTransaction", START)
    second = await csms.result("StartTransaction", {**START, "idTag": "TAG-2"}, message_id="msg-2")
    assert (first["transactionId"], second["transactionId"]) == (1001, 1002)
