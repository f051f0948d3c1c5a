"""The write model's Cassandra requests per station CALL, through the wired service's router and Cassandra state store:
one read and one write per message about a known transaction, plus the token's session and (1.6) the id."""

from __future__ import annotations

import json
import uuid
from typing import Any

from csms_kernel.handling.router import Answer, CallInfo
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.bootstrap import build
from csms_transactions.domain.tokens import Decision
from csms_transactions.settings import TransactionsSettings
from integration.transactions.counting import CountingSession
from kit.builders.transaction_scenarios import meter_value, transaction_event
from kit.builders.transactions import NOW
from kit.fakes.station_calls import FakeStationCalls
from kit.fakes.transactions import InMemoryTransactionsRepository, ScriptedAuthorizer


class Station:
    def __init__(self, session: CassandraSession, version: OcppVersion) -> None:
        self.id = f"CS-{uuid.uuid4().hex[:10]}"
        self.token = f"TAG-{uuid.uuid4().hex[:8]}"
        self.version = version
        self.counting = CountingSession(session)
        router = build(
            TransactionsSettings(concurrent_tx=True),
            session=self.counting,
            authorizer=ScriptedAuthorizer({self.token.upper(): Decision("Accepted")}),
            repository=InMemoryTransactionsRepository(),
            station_calls=FakeStationCalls(),
        ).router
        assert router is not None
        self._router = router

    async def send(self, action: str, payload: dict[str, Any], message_id: str) -> tuple[Answer, int]:
        """The answer and the Cassandra requests it took."""
        self.counting.reset()
        call = CallInfo(self.id, "default", self.version, message_id, action, NOW, "edge-1", "conn-1")
        answer = await self._router.dispatch(call, Frame(MessageType.CALL, message_id, action, payload))
        assert not answer.is_error, answer.frame
        return answer, self.counting.requests


async def test_requests_per_1_6_call(session: CassandraSession) -> None:
    station = Station(session, OcppVersion.V16)
    start = {"connectorId": 1, "idTag": station.token, "meterStart": 0, "timestamp": "2026-11-21T10:00:00Z"}
    answer, requests = await station.send("StartTransaction", start, "m1")
    # handled start, id allocation, ConcurrentTx sessions, record start, state read, state write, open session
    assert requests == 7
    transaction_id = json.loads(answer.frame)[2]["transactionId"]
    values = [meter_value("2026-11-21T10:15:00Z", {"value": "2250"})]
    meter = {"connectorId": 1, "transactionId": transaction_id, "meterValue": values}
    answer, requests = await station.send("MeterValues", meter, "m2")
    assert (requests, len(answer.events)) == (1, 1)  # the state read
    stop = {"transactionId": transaction_id, "meterStop": 4000, "timestamp": "2026-11-21T11:00:00Z"}
    answer, requests = await station.send("StopTransaction", stop, "m3")
    # state + outcome read, state + outcome write, close session, the id's station
    assert (requests, len(answer.events)) == (4, 1)
    assert not answer.events[0].ended.unknown_transaction  # type: ignore[attr-defined]
    answer, requests = await station.send("StopTransaction", stop, "m3-resent")
    assert (requests, answer.events) == (2, [])  # read, close session again


async def test_requests_per_2_x_call(session: CassandraSession) -> None:
    station = Station(session, OcppVersion.V201)
    token = {"idToken": station.token, "type": "ISO14443"}

    def event(event_type: str, seq_no: int, trigger: str, **more: Any) -> dict[str, Any]:
        values = [meter_value(f"2026-11-21T10:0{seq_no}:00Z", {"value": 100 * seq_no})]
        info = {"transactionId": f"tx-{station.id}", "chargingState": "Charging"}
        when = f"2026-11-21T10:0{seq_no}:00Z"
        return transaction_event(event_type, seq_no, when, trigger, info, meterValue=values, **more)

    started = event("Started", 0, "Authorized", idToken=token, evse={"id": 1, "connectorId": 1})
    answer, requests = await station.send("TransactionEvent", started, "m0")
    # state + outcome read, ConcurrentTx sessions, state + outcome write, open session
    assert (requests, json.loads(answer.frame)[2]) == (4, {"idTokenInfo": {"status": "Accepted"}})
    updated = event("Updated", 1, "MeterValuePeriodic")
    answer, requests = await station.send("TransactionEvent", updated, "m1")
    assert (requests, len(answer.events)) == (2, 1)  # read, outcome write
    answer, requests = await station.send("TransactionEvent", updated, "m1-resent")
    assert (requests, answer.events) == (1, [])  # read: a duplicate
    ended = event("Ended", 2, "StopAuthorized", idToken=token)
    answer, requests = await station.send("TransactionEvent", ended, "m2")
    assert (requests, len(answer.events)) == (3, 1)  # read, state + outcome write, close session
