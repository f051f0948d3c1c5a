"""Charging sessions of every OCPP version run through the real handlers (in-memory ports): their domain
events, as the projection and the read-model tests consume them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from csms.transactions.v1 import transactions_pb2
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision
from kit.builders.transactions import Csms
from kit.fakes.transactions import InMemoryStateStore, ScriptedAuthorizer


def meter_value(when: str, *sampled: dict[str, Any]) -> dict[str, Any]:
    return {"timestamp": when, "sampledValue": list(sampled)}


def transaction_event(
    event_type: str, seq_no: int, when: str, trigger: str, info: dict[str, Any], **more: Any
) -> dict[str, Any]:
    return {
        "eventType": event_type,
        "timestamp": when,
        "triggerReason": trigger,
        "seqNo": seq_no,
        "transactionInfo": info,
        **more,
    }


@dataclass(frozen=True)
class Sessions:
    """Station ids (unique per run) and the events of: a finished 1.6 session (7500 Wh) plus an unknown-id
    stop, a finished 2.0.1 session (8250 Wh), an active 2.1 session (1200 Wh so far), and meter values
    outside any transaction."""

    v16: str
    v201: str
    v21: str
    token: str
    events: list[transactions_pb2.TransactionEvent]


async def charging_sessions() -> Sessions:
    run = uuid.uuid4().hex[:8]
    token = f"TAG-{run}"
    authorizer = ScriptedAuthorizer({token.upper(): Decision("Accepted"), f"{token}-B".upper(): Decision("Accepted")})
    stations = {version: f"CS-{version.name}-{run}" for version in OcppVersion}
    csms = {version: Csms(version, InMemoryStateStore(), authorizer) for version in OcppVersion}
    events: list[transactions_pb2.TransactionEvent] = []

    async def send(version: OcppVersion, action: str, payload: dict[str, Any], message_id: str) -> None:
        answer = await csms[version].send(action, payload, message_id, station_id=stations[version])
        assert not answer.is_error, answer.frame
        events.extend(answer.events)  # type: ignore[arg-type]

    v16 = OcppVersion.V16
    start = {"connectorId": 1, "idTag": token, "meterStart": 1000, "timestamp": "2026-11-21T10:00:00Z"}
    await send(v16, "StartTransaction", start, "a1")
    values = [meter_value("2026-11-21T10:15:00Z", {"value": "2.25", "unit": "kWh"})]
    await send(v16, "MeterValues", {"connectorId": 1, "transactionId": 1001, "meterValue": values}, "a2")
    values = [meter_value("2026-11-21T10:30:00Z", {"value": "4000"}, {"value": "230", "measurand": "Voltage"})]
    await send(v16, "MeterValues", {"connectorId": 1, "transactionId": 1001, "meterValue": values}, "a3")
    stop = {
        "transactionId": 1001,
        "meterStop": 8500,
        "timestamp": "2026-11-21T11:00:00Z",
        "reason": "Local",
        "idTag": token,
        "transactionData": [meter_value("2026-11-21T11:00:00Z", {"value": "8500", "context": "Transaction.End"})],
    }
    await send(v16, "StopTransaction", stop, "a4")
    orphan = {"transactionId": 4242, "meterStop": 10, "timestamp": "2026-11-21T09:00:00Z"}
    await send(v16, "StopTransaction", orphan, "a5")
    await send(
        v16,
        "MeterValues",
        {"connectorId": 0, "meterValue": [meter_value("2026-11-21T09:30:00Z", {"value": "7"})]},
        "a6",
    )

    v201 = OcppVersion.V201
    id_token = {"idToken": token, "type": "ISO14443"}
    kwh = {"unit": "kWh"}
    started = transaction_event(
        "Started",
        0,
        "2026-11-21T12:00:00Z",
        "Authorized",
        {"transactionId": f"tx-{run}", "chargingState": "EVConnected"},
        idToken=id_token,
        evse={"id": 2, "connectorId": 1},
        meterValue=[
            meter_value("2026-11-21T12:00:00Z", {"value": 1, "context": "Transaction.Begin", "unitOfMeasure": kwh})
        ],
    )
    updated = transaction_event(
        "Updated",
        1,
        "2026-11-21T12:30:00Z",
        "ChargingStateChanged",
        {"transactionId": f"tx-{run}", "chargingState": "Charging"},
        meterValue=[meter_value("2026-11-21T12:30:00Z", {"value": 4.5, "unitOfMeasure": kwh})],
    )
    ended = transaction_event(
        "Ended",
        2,
        "2026-11-21T13:00:00Z",
        "EVDeparted",
        {"transactionId": f"tx-{run}", "chargingState": "Idle", "stoppedReason": "EVDisconnected"},
        meterValue=[
            meter_value("2026-11-21T13:00:00Z", {"value": 9.25, "context": "Transaction.End", "unitOfMeasure": kwh})
        ],
    )
    await send(v201, "TransactionEvent", started, "b1")
    await send(v201, "TransactionEvent", updated, "b2")
    await send(v201, "TransactionEvent", ended, "b3")

    v21 = OcppVersion.V21
    started21 = transaction_event(
        "Started",
        0,
        "2026-11-21T14:00:00Z",
        "CablePluggedIn",
        {"transactionId": f"tx21-{run}", "chargingState": "EVConnected"},
        evse={"id": 1, "connectorId": 1},
        meterValue=[meter_value("2026-11-21T14:00:00Z", {"value": 500, "context": "Transaction.Begin"})],
    )
    authorized = transaction_event(
        "Updated",
        1,
        "2026-11-21T14:01:00Z",
        "Authorized",
        {"transactionId": f"tx21-{run}", "chargingState": "Charging"},
        idToken={"idToken": f"{token}-B", "type": "Central"},
        meterValue=[meter_value("2026-11-21T14:20:00Z", {"value": 1700})],
    )
    await send(v21, "TransactionEvent", started21, "c1")
    await send(v21, "TransactionEvent", authorized, "c2")
    return Sessions(stations[v16], stations[v201], stations[v21], token, events)
