"""The CALLs the edge answers itself (ADR 0046): Heartbeat with a valid payload, nothing else."""

from __future__ import annotations

import json

import pytest

from csms_edge.domain import edge_answers
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion

T_NS = 1_764_000_000_123_456_789  # 2025-11-24T16:00:00.123456789Z
ALL = edge_answers.ANSWERABLE


@pytest.mark.parametrize("version", list(OcppVersion))
def test_a_heartbeat_is_answered_with_the_time_the_edge_read_it(version: OcppVersion) -> None:
    answer = edge_answers.answer(Frame(MessageType.CALL, "m1", "Heartbeat", {}), version, T_NS, ALL)
    assert answer is not None
    assert json.loads(answer) == [3, "m1", {"currentTime": "2025-11-24T16:00:00.123Z"}]


def test_a_2x_heartbeat_with_custom_data_is_answered() -> None:
    frame = Frame(MessageType.CALL, "m1", "Heartbeat", {"customData": {"vendorId": "acme"}})
    assert edge_answers.answer(frame, OcppVersion.V201, T_NS, ALL) is not None


@pytest.mark.parametrize(
    ("version", "payload"),
    [(OcppVersion.V16, {"unexpected": True}), (OcppVersion.V201, {"unexpected": True}), (OcppVersion.V21, {"a": 1})],
)
def test_an_invalid_heartbeat_is_left_to_its_owner(version: OcppVersion, payload: dict[str, object]) -> None:
    assert edge_answers.answer(Frame(MessageType.CALL, "m1", "Heartbeat", payload), version, T_NS, ALL) is None


def test_other_actions_and_other_message_types_are_left_to_their_owners() -> None:
    assert (
        edge_answers.answer(Frame(MessageType.CALL, "m1", "StatusNotification", {}), OcppVersion.V16, T_NS, ALL) is None
    )
    assert edge_answers.answer(Frame(MessageType.SEND, "m1", "Heartbeat", {}), OcppVersion.V21, T_NS, ALL) is None


def test_nothing_is_answered_when_the_action_is_not_configured() -> None:
    frame = Frame(MessageType.CALL, "m1", "Heartbeat", {})
    assert edge_answers.answer(frame, OcppVersion.V16, T_NS, frozenset()) is None
