"""2.0.1 TransactionEvent through the 2.0.1 routing table: Started/Updated/Ended, seqNo duplicates, order,
offline events, tokens presented later, signed and scaled meter values."""

from __future__ import annotations

from typing import Any

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision, Token
from kit.builders.transaction_scenarios import transaction_event
from kit.builders.transactions import STATION, Csms, at, energy, event

VERSION = OcppVersion.V201
TOKEN = {"idToken": "TAG-1", "type": "ISO14443"}
TAG_1 = transactions_pb2.IdToken(id_token="TAG-1", type="ISO14443")
ACCEPTED = transactions_pb2.AuthorizationDecision(status="Accepted")


def frame(event_type: str, seq_no: int, when: str, trigger: str, **fields: Any) -> dict[str, Any]:
    info = {"transactionId": "tx-1", **fields.pop("info", {})}
    return transaction_event(event_type, seq_no, when, trigger, info, **fields)


def register(kwh: float, when: str, context: str) -> list[dict[str, Any]]:
    sampled = {"value": kwh, "context": context, "unitOfMeasure": {"unit": "kWh"}}
    return [{"timestamp": when, "sampledValue": [sampled]}]


STARTED = frame(
    "Started",
    0,
    "2026-11-21T10:00:00Z",
    "Authorized",
    info={"chargingState": "EVConnected", "remoteStartId": 7},
    idToken=TOKEN,
    evse={"id": 1, "connectorId": 1},
    meterValue=register(1.0, "2026-11-21T10:00:00Z", "Transaction.Begin"),
)
UPDATED = frame(
    "Updated",
    1,
    "2026-11-21T10:30:00Z",
    "MeterValuePeriodic",
    info={"chargingState": "Charging"},
    meterValue=register(4.5, "2026-11-21T10:30:00Z", "Sample.Periodic"),
)
ENDED = frame(
    "Ended",
    2,
    "2026-11-21T11:00:00Z",
    "EVDeparted",
    info={"chargingState": "Idle", "stoppedReason": "EVDisconnected"},
    meterValue=register(9.25, "2026-11-21T11:00:00Z", "Transaction.End"),
)


async def test_a_session_started_updated_and_ended() -> None:
    csms = Csms(VERSION)
    assert await csms.result("TransactionEvent", STARTED, "m0") == {"idTokenInfo": {"status": "Accepted"}}
    assert await csms.result("TransactionEvent", UPDATED, "m1") == {}
    assert await csms.result("TransactionEvent", ENDED, "m2") == {}
    events = [
        (await csms.send("TransactionEvent", f, m)).events for f, m in ((STARTED, "m0"), (UPDATED, "m1"), (ENDED, "m2"))
    ]
    base = {"first_seen_at": at(10), "session_token": TAG_1}
    assert events == [
        [
            event(
                VERSION,
                "tx-1",
                at(10),
                message_id="m0",
                **base,
                started=transactions_pb2.TransactionStarted(
                    evse_id=1,
                    connector_id=1,
                    id_token=TAG_1,
                    authorization=ACCEPTED,
                    started_at=timestamp(at(10)),
                    meter_start_wh=1000.0,
                    trigger_reason="Authorized",
                    charging_state="EVConnected",
                    remote_start_id=7,
                    meter_values=[energy(1000.0, at(10), "Transaction.Begin", raw="1.0", unit="kWh")],
                ),
            )
        ],
        [
            event(
                VERSION,
                "tx-1",
                at(10, 30),
                message_id="m1",
                seq_no=1,
                **base,
                updated=transactions_pb2.TransactionUpdated(
                    trigger_reason="MeterValuePeriodic",
                    charging_state="Charging",
                    meter_values=[energy(4500.0, at(10, 30), raw="4.5", unit="kWh")],
                ),
            )
        ],
        [
            event(
                VERSION,
                "tx-1",
                at(11),
                message_id="m2",
                seq_no=2,
                **base,
                ended=transactions_pb2.TransactionEnded(
                    ended_at=timestamp(at(11)),
                    meter_stop_wh=9250.0,
                    stop_reason="EVDisconnected",
                    trigger_reason="EVDeparted",
                    charging_state="Idle",
                    meter_values=[energy(9250.0, at(11), "Transaction.End", raw="9.25", unit="kWh")],
                ),
            )
        ],
    ]
    assert csms.state.sessions == set() and csms.state.states[(STATION, "tx-1")].ended


async def test_the_same_seq_no_under_another_message_id_is_answered_and_reported_once() -> None:
    csms = Csms(VERSION)
    first = await csms.send("TransactionEvent", STARTED, "m0")
    again = await csms.send("TransactionEvent", {**STARTED, "offline": True}, "m0-resent")
    assert first.events and again.events == []
    assert again.frame == first.frame.replace('"m0"', '"m0-resent"')


async def test_an_end_before_its_start_leaves_the_transaction_ended() -> None:
    csms = Csms(VERSION)
    ended = await csms.send("TransactionEvent", {**ENDED, "offline": True}, "m2")
    started = await csms.send("TransactionEvent", STARTED, "m0")
    assert ended.events[0].offline and ended.events[0].first_seen_at == timestamp(at(11))
    assert started.events[0].first_seen_at == timestamp(at(11))
    assert csms.state.states[(STATION, "tx-1")].ended and csms.state.sessions == set()


async def test_a_token_presented_after_the_start_becomes_the_session_token() -> None:
    csms = Csms(VERSION)
    plugged_in = frame("Started", 0, "2026-11-21T10:00:00Z", "CablePluggedIn", evse={"id": 2})
    assert await csms.result("TransactionEvent", plugged_in, "m0") == {}
    authorized = frame("Updated", 1, "2026-11-21T10:01:00Z", "Authorized", idToken=TOKEN)
    assert await csms.result("TransactionEvent", authorized, "m1") == {"idTokenInfo": {"status": "Accepted"}}
    answer = await csms.send("TransactionEvent", authorized, "m1")
    assert answer.events[0].session_id_token == TAG_1
    assert answer.events[0].updated.authorization == ACCEPTED
    assert csms.state.sessions == {("TAG-1", STATION, "tx-1")}


async def test_concurrent_tx_for_a_token_charging_elsewhere_and_not_for_its_stop() -> None:
    csms = Csms(VERSION)
    await csms.send("TransactionEvent", STARTED, "m0", station_id="CS-OTHER")
    assert await csms.result("TransactionEvent", STARTED, "m0") == {"idTokenInfo": {"status": "ConcurrentTx"}}
    stop = frame("Updated", 1, "2026-11-21T10:59:00Z", "StopAuthorized", idToken=TOKEN)
    assert await csms.result("TransactionEvent", stop, "m1") == {"idTokenInfo": {"status": "Accepted"}}


async def test_blocked_token_with_expiry_and_group() -> None:
    csms = Csms(VERSION)
    expiry = at(23)
    csms.authorizer.decisions["TAG-1"] = Decision("Blocked", expiry, Token("GROUP-1", "Central"))
    assert await csms.result("TransactionEvent", STARTED, "m0") == {
        "idTokenInfo": {
            "status": "Blocked",
            "cacheExpiryDateTime": "2026-11-21T23:00:00.000Z",
            "groupIdToken": {"idToken": "GROUP-1", "type": "Central"},
        }
    }
    assert csms.authorizer.calls[0][1] == Token("TAG-1", "ISO14443")
    assert csms.authorizer.calls[0][4] == 1  # the EVSE it starts on: its reservations are honoured


async def test_signed_and_scaled_values_are_kept_as_received() -> None:
    csms = Csms(VERSION)
    signed = {"signedMeterData": "AAEC", "signingMethod": "ECDSA", "encodingMethod": "OCMF", "publicKey": "KEY"}
    sampled = [
        {"value": 12, "unitOfMeasure": {"unit": "Wh", "multiplier": 3}, "signedMeterValue": signed},
        {"value": 230.5, "measurand": "Voltage", "phase": "L1-N", "unitOfMeasure": {"unit": "V"}},
    ]
    update = {**UPDATED, "meterValue": [{"timestamp": "2026-11-21T10:30:00Z", "sampledValue": sampled}]}
    samples = (await csms.send("TransactionEvent", update, "m1")).events[0].updated.meter_values
    scaled, voltage = samples
    assert (scaled.value, scaled.unit, scaled.raw_value, scaled.raw_multiplier) == (12000.0, "Wh", "12", 3)
    assert scaled.signed_meter_value_json == (
        '{"signedMeterData":"AAEC","signingMethod":"ECDSA","encodingMethod":"OCMF","publicKey":"KEY"}'
    )
    assert (voltage.measurand, voltage.phase, voltage.value, voltage.unit) == ("Voltage", "L1-N", 230.5, "V")


async def test_no_stopped_reason_means_local() -> None:
    csms = Csms(VERSION)
    ended = frame("Ended", 2, "2026-11-21T11:00:00Z", "EVDeparted")
    assert (await csms.send("TransactionEvent", ended, "m2")).events[0].ended.stop_reason == "Local"
