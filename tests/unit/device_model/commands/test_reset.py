"""`reset` in every version: 1.6 Soft/Hard of the whole station, 2.0.1 Immediate/OnIdle of the station or an EVSE,
2.1 also ImmediateAndResume; what a version cannot say is refused with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


def sent(version: OcppVersion, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [call.as_json() for call in translate("reset", version, params).calls]


@pytest.mark.parametrize(
    ("version", "params", "payload"),
    [
        (V16, {"type": "soft"}, {"type": "Soft"}),
        (V16, {"type": "hard"}, {"type": "Hard"}),
        (V201, {"type": "immediate"}, {"type": "Immediate"}),
        (V201, {"type": "on_idle", "evse_id": 2}, {"type": "OnIdle", "evseId": 2}),
        (V21, {"type": "immediate_and_resume"}, {"type": "ImmediateAndResume"}),
        (V21, {"type": "on_idle", "evse_id": 1}, {"type": "OnIdle", "evseId": 1}),
    ],
)
def test_the_request_each_version_gets(version: OcppVersion, params: dict[str, Any], payload: dict[str, Any]) -> None:
    assert sent(version, params) == [{"action": "Reset", "payload": payload}]


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "Accepted"}, {"status": "accepted"}),
        (V201, {"status": "Scheduled"}, {"status": "scheduled"}),
        (
            V21,
            {"status": "Rejected", "statusInfo": {"reasonCode": "Busy", "additionalInfo": "tx"}},
            {"status": "rejected", "status_info": {"reason_code": "Busy", "additional_info": "tx"}},
        ),
    ],
)
def test_the_answer_reads_as_one_result(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    params = {"type": "hard" if version is V16 else "immediate"}
    assert translate("reset", version, params).read([answer]) == result


@pytest.mark.parametrize(
    ("version", "params", "why"),
    [
        (V16, {"type": "on_idle"}, "OCPP 1.6 has no on_idle reset: its resets are soft or hard"),
        (V16, {"type": "immediate"}, "OCPP 1.6 has no immediate reset"),
        (V16, {"type": "soft", "evse_id": 1}, "OCPP 1.6 resets the whole station, not one EVSE"),
        (V201, {"type": "hard"}, "OCPP 2.0.1 has no hard reset: its resets are immediate or on_idle"),
        (V201, {"type": "immediate_and_resume"}, "OCPP 2.0.1 has no immediate_and_resume reset"),
        (V21, {"type": "soft"}, "OCPP 2.1 has no soft reset: its resets are immediate or on_idle or immediate_and_"),
    ],
)
def test_what_a_version_cannot_express_is_refused(version: OcppVersion, params: dict[str, Any], why: str) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate("reset", version, params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.type: is required"),
        ({"type": "warm"}, "params.type: must be one of soft, hard, immediate, on_idle, immediate_and_resume"),
        ({"type": "soft", "evse_id": "1"}, "params.evse_id: must be an integer"),
        ({"type": "soft", "evse_id": 0}, "params.evse_id: must be at least 1"),
        ({"type": "soft", "force": True}, r"params.force: unknown parameter \(this command takes: evse_id, type\)"),
        ([], "params: must be a JSON object"),
    ],
)
def test_invalid_params_name_the_field(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("reset", V16, params)
