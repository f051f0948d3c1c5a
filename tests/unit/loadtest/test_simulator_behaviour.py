"""Steady-state behaviour of one station: idle mix, whole charging sessions, and how CSMS answers steer it."""

from __future__ import annotations

import random
from collections import Counter

from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator.behaviour import Behaviour, Mix, State

AT = "2026-11-21T12:00:00.000Z"


def station(version: OcppVersion, mix: Mix, seed: int = 1) -> Behaviour:
    return Behaviour("SIM-000001", version, "SIMTAG000001", mix, random.Random(seed))


def test_without_sessions_only_heartbeats_and_status_changes() -> None:
    behaviour = station(OcppVersion.V201, Mix(sessions=False, status_probability=0.2))
    actions = Counter(behaviour.next_message(AT)[0] for _ in range(2000))
    assert set(actions) == {"Heartbeat", "StatusNotification"}
    assert 300 < actions["StatusNotification"] < 500  # ~20 %


def test_status_notifications_toggle_availability() -> None:
    behaviour = station(OcppVersion.V16, Mix(sessions=False, status_probability=1.0))
    statuses = [behaviour.next_message(AT)[1]["status"] for _ in range(3)]
    assert statuses == ["Unavailable", "Available", "Unavailable"]


def test_an_ocpp16_session_uses_the_csms_transaction_id() -> None:
    behaviour = station(OcppVersion.V16, Mix(start_probability=1.0, session_length=2))
    assert behaviour.next_message(AT) == ("Authorize", {"idTag": "SIMTAG000001"})
    behaviour.on_result({"idTagInfo": {"status": "Accepted"}})
    assert behaviour.next_message(AT)[0] == "StartTransaction"
    behaviour.on_result({"transactionId": 4711, "idTagInfo": {"status": "Accepted"}})
    first, second, stop = (behaviour.next_message(AT) for _ in range(3))
    assert [first[0], second[0], stop[0]] == ["MeterValues", "MeterValues", "StopTransaction"]
    assert first[1]["transactionId"] == stop[1]["transactionId"] == 4711
    assert stop[1]["meterStop"] == 1000
    assert behaviour.state is State.IDLE


def test_a_2x_session_numbers_its_events() -> None:
    behaviour = station(OcppVersion.V21, Mix(start_probability=1.0, session_length=1))
    sent = [behaviour.next_message(AT) for _ in range(4)]
    assert [action for action, _ in sent] == ["Authorize", "TransactionEvent", "TransactionEvent", "TransactionEvent"]
    events = [payload for _, payload in sent[1:]]
    assert [e["eventType"] for e in events] == ["Started", "Updated", "Ended"]
    assert [e["seqNo"] for e in events] == [0, 1, 2]
    assert {e["transactionInfo"]["transactionId"] for e in events} == {"SIM-000001-1"}


def test_a_rejected_authorize_ends_the_attempt_but_a_callerror_does_not() -> None:
    rejected = station(OcppVersion.V201, Mix(start_probability=1.0))
    rejected.next_message(AT)
    rejected.on_result({"idTokenInfo": {"status": "Invalid"}})
    assert rejected.state is State.IDLE
    unanswered = station(OcppVersion.V201, Mix(start_probability=1.0))
    unanswered.next_message(AT)  # answered NotSupported: on_result is not called
    assert unanswered.next_message(AT)[1]["eventType"] == "Started"
