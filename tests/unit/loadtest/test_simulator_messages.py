"""The simulator's payloads are valid against the official schemas of each version (requests it sends and
the answers it gives to CSMS-initiated calls), and its frames are exact OCPP-J."""

from __future__ import annotations

import json
import random

import pytest

from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from loadtest.simulator import messages
from loadtest.simulator.behaviour import Behaviour, Mix

AT = "2026-11-21T12:00:00.000Z"


def test_frames_are_compact_ocpp_j() -> None:
    assert messages.call_frame("7", "Heartbeat", {}) == '[2,"7","Heartbeat",{}]'
    assert messages.answer_csms_call("9", "Reset") == '[3,"9",{"status":"Accepted"}]'
    assert json.loads(messages.answer_csms_call("9", "GetLog")) == [
        4,
        "9",
        "NotSupported",
        "GetLog is not supported by the simulator",
        {},
    ]


@pytest.mark.parametrize("version", list(OcppVersion))
def test_every_message_a_station_sends_is_schema_valid(version: OcppVersion) -> None:
    behaviour = Behaviour("SIM-000001", version, "SIMTAG000001", Mix(start_probability=0.5), random.Random(3))
    sent = [messages.boot_notification(version, "Sim-" + version.value)]
    while behaviour.sessions_started < 2 or behaviour.state.value != "idle":  # two whole sessions, with idle ticks
        sent.append(behaviour.next_message(AT))
    actions = {action for action, _ in sent}
    session = (
        {"StartTransaction", "MeterValues", "StopTransaction"} if version is OcppVersion.V16 else {"TransactionEvent"}
    )
    assert {"BootNotification", "Authorize"} | session <= actions
    for action, payload in sent:
        validate(version, action, MessageKind.REQUEST, payload)


@pytest.mark.parametrize("version", list(OcppVersion))
@pytest.mark.parametrize("action", sorted(messages.ACCEPTED_CSMS_CALLS))
def test_answers_to_csms_calls_are_schema_valid(version: OcppVersion, action: str) -> None:
    answer = json.loads(messages.answer_csms_call("1", action))
    validate(version, action, MessageKind.RESPONSE, answer[2])
