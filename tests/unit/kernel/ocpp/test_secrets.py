"""Station secrets in CSMS-initiated CALLs are redacted for the frame log, and nothing else changes."""

from __future__ import annotations

import json

import pytest

from csms_kernel.ocpp.secrets import REDACTED, redact_call_frame


def _call(action: str, payload: object) -> str:
    return json.dumps([2, "m-1", action, payload])


def test_a_2x_basic_auth_password_is_redacted_and_other_variables_kept() -> None:
    frame = _call(
        "SetVariables",
        {
            "setVariableData": [
                {
                    "attributeValue": "new-secret-password-1",
                    "component": {"name": "SecurityCtrlr"},
                    "variable": {"name": "BasicAuthPassword"},
                },
                {"attributeValue": "300", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "X"}},
            ]
        },
    )
    redacted = json.loads(redact_call_frame("SetVariables", frame))
    assert [item["attributeValue"] for item in redacted[3]["setVariableData"]] == [REDACTED, "300"]
    assert "new-secret-password-1" not in redact_call_frame("SetVariables", frame)


def test_a_16_authorization_key_is_redacted() -> None:
    frame = _call("ChangeConfiguration", {"key": "AuthorizationKey", "value": "00112233445566778899aabbccddeeff"})
    assert json.loads(redact_call_frame("ChangeConfiguration", frame))[3] == {
        "key": "AuthorizationKey",
        "value": REDACTED,
    }


def test_a_21_network_profile_password_is_redacted() -> None:
    frame = _call(
        "SetNetworkProfile",
        {"configurationSlot": 1, "connectionData": {"securityProfile": 2, "basicAuthPassword": "p" * 20}},
    )
    assert json.loads(redact_call_frame("SetNetworkProfile", frame))[3]["connectionData"] == {
        "securityProfile": 2,
        "basicAuthPassword": REDACTED,
    }


@pytest.mark.parametrize(
    ("action", "frame"),
    [
        ("Reset", _call("Reset", {"type": "Hard"})),
        ("ChangeConfiguration", _call("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"})),
        ("SetVariables", _call("SetVariables", {"setVariableData": "not a list"})),
        ("SetVariables", "[2, broken"),
        ("SetNetworkProfile", json.dumps([3, "m-1", {}])),
    ],
)
def test_frames_without_a_secret_are_returned_unchanged(action: str, frame: str) -> None:
    assert redact_call_frame(action, frame) == frame
