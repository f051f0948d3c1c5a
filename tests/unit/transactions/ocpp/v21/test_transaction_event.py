"""2.1 TransactionEvent through the 2.1 routing table: 2.1-only fields are accepted and ignored, the
handling is the 2.0.1 one."""

from __future__ import annotations

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.transactions import Csms

VERSION = OcppVersion.V21


async def test_a_2_1_started_event_with_2_1_fields() -> None:
    csms = Csms(VERSION)
    started = {
        "eventType": "Started",
        "timestamp": "2026-11-21T10:00:00Z",
        "triggerReason": "TxResumed",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "tx-21", "chargingState": "Charging", "operationMode": "ChargingOnly"},
        "idToken": {"idToken": "TAG-1", "type": "DirectPayment"},
        "evse": {"id": 1, "connectorId": 1},
        "preconditioningStatus": "Ready",
        "evseSleep": False,
    }
    assert await csms.result("TransactionEvent", started) == {"idTokenInfo": {"status": "Accepted"}}
    [event] = (await csms.send("TransactionEvent", started)).events
    assert event.ocpp_version == version_to_proto(VERSION)
    assert event.started.id_token == transactions_pb2.IdToken(id_token="TAG-1", type="DirectPayment")
    assert (event.started.trigger_reason, event.started.charging_state) == ("TxResumed", "Charging")
