"""`set-password` in every version: 2.x SetVariables SecurityCtrlr.BasicAuthPassword (2.0.1 16..40, 2.1 16..64
printable ASCII), 1.6 ChangeConfiguration AuthorizationKey (32..40 hex digits, lowercased as registered); the
pending password to register; the password never in what the record keeps nor in any error message."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.domain.commands.params import InvalidParams
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

PASSWORD = "correct-horse-battery-1"
KEY = "00112233445566778899AABBCCDDEEFF0011AA"


def variable(value: str) -> dict[str, Any]:
    return {
        "setVariableData": [
            {"attributeValue": value, "component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}}
        ]
    }


def answered(status: str) -> dict[str, Any]:
    return {
        "setVariableResult": [
            {
                "attributeStatus": status,
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "BasicAuthPassword"},
            }
        ]
    }


@pytest.mark.parametrize(
    ("version", "password", "call", "registered"),
    [
        (
            V16,
            KEY,
            {"action": "ChangeConfiguration", "payload": {"key": "AuthorizationKey", "value": KEY.lower()}},
            KEY.lower(),
        ),
        (V201, PASSWORD, {"action": "SetVariables", "payload": variable(PASSWORD)}, PASSWORD),
        (V21, "p" * 64, {"action": "SetVariables", "payload": variable("p" * 64)}, "p" * 64),
    ],
)
def test_each_version_sends_the_password_and_registers_it_pending_in_the_form_sent(
    version: OcppVersion, password: str, call: dict[str, Any], registered: str
) -> None:
    plan = translate("set-password", version, {"password": password})
    assert [c.as_json() for c in plan.calls] == [call]
    assert plan.credentials == CredentialChange(password=registered)
    assert password not in repr(plan.credentials) and registered not in repr(plan.credentials)


@pytest.mark.parametrize(("version", "password"), [(V16, KEY), (V201, PASSWORD), (V21, PASSWORD)])
def test_what_the_record_keeps_has_the_password_redacted(version: OcppVersion, password: str) -> None:
    plan = translate("set-password", version, {"password": password})
    shown = str([c.as_json() for c in plan.shown()])
    assert "<redacted>" in shown
    assert password not in shown and password.lower() not in shown


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "Accepted"}, {"status": "accepted"}),
        (V16, {"status": "Rejected"}, {"status": "rejected"}),
        (V201, answered("Accepted"), {"status": "accepted"}),
        (V21, answered("RebootRequired"), {"status": "reboot_required"}),
        (
            V201,
            {
                "setVariableResult": [
                    {"attributeStatus": "Accepted", "component": {"name": "X"}, "variable": {"name": "Y"}}
                ]
            },
            {"status": "rejected"},
        ),
    ],
)
def test_the_answer_reads_as_one_status(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    plan = translate("set-password", version, {"password": KEY if version is V16 else PASSWORD})
    assert plan.read([answer]) == result


@pytest.mark.parametrize(
    ("version", "password", "message"),
    [
        (V201, "short-secret", r"params.password: OCPP 2.0.1 passwords are 16..40 characters, got 12"),
        (V201, "x" * 41, r"params.password: OCPP 2.0.1 passwords are 16..40 characters, got 41"),
        (V21, "x" * 65, r"params.password: OCPP 2.1 passwords are 16..64 characters, got 65"),
        (V21, "pässwörd-pässwörd", r"params.password: must consist of printable ASCII characters"),
        (V16, "not-hex-but-long-enough-to-be-a-key!", r"params.password: an OCPP 1.6 AuthorizationKey is 32..40 hex"),
        (V16, "ab" * 15, r"AuthorizationKey is 32..40 hexadecimal digits, an even number .*, got 30 characters$"),
        (V16, "abc" * 11, r"got 33 characters$"),
        (V16, "g" * 32, r"got 32 characters that are not all hexadecimal"),
        (V201, None, r"params.password: is required"),
        (V201, 1234567890123456, r"params.password: must be a string$"),
    ],
)
def test_a_password_a_version_does_not_take_is_refused_without_repeating_it(
    version: OcppVersion, password: Any, message: str
) -> None:
    with pytest.raises(InvalidParams, match=message) as refused:
        translate("set-password", version, {} if password is None else {"password": password})
    if password is not None:
        assert str(password) not in str(refused.value)


def test_other_params_are_refused() -> None:
    with pytest.raises(InvalidParams, match=r"params.new_password: unknown parameter \(this command takes: password\)"):
        translate("set-password", V201, {"password": PASSWORD, "new_password": PASSWORD})
