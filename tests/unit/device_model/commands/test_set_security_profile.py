"""`set-security-profile` in every version: 1.6 ChangeConfiguration SecurityProfile; 2.x A05: SetNetworkProfile
(the wss:// connection in a slot), SetVariables OCPPCommCtrlr.NetworkConfigurationPriority (the slot first), Reset;
the calls after a step the station did not take are not sent; the pending profile to register."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.credentials import CredentialChange
from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

NETWORK = {"security_profile": 2, "csms_url": "wss://csms.example/ocpp", "configuration_slot": 2, "fallback_slots": [1]}
PRIORITY_ACCEPTED = {
    "setVariableResult": [
        {
            "attributeStatus": "Accepted",
            "component": {"name": "OCPPCommCtrlr"},
            "variable": {"name": "NetworkConfigurationPriority"},
        }
    ]
}


def test_ocpp16_changes_its_security_profile_key() -> None:
    plan = translate("set-security-profile", V16, {"security_profile": 3})
    assert [c.as_json() for c in plan.calls] == [
        {"action": "ChangeConfiguration", "payload": {"key": "SecurityProfile", "value": "3"}}
    ]
    assert plan.credentials == CredentialChange(security_profile=3)
    assert plan.read([{"status": "Accepted"}]) == {"status": "accepted"}
    assert not plan.proceed(0, {"status": "NotSupported"})


@pytest.mark.parametrize(
    ("version", "connection"),
    [
        (
            V201,
            {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "wss://csms.example/ocpp",
                "messageTimeout": 30,
                "securityProfile": 2,
                "ocppInterface": "Wired0",
            },
        ),
        (
            V21,
            {
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "wss://csms.example/ocpp",
                "messageTimeout": 30,
                "securityProfile": 2,
                "ocppInterface": "Wired0",
            },
        ),
    ],
)
def test_ocpp2_sets_a_network_profile_puts_it_first_and_resets(
    version: OcppVersion, connection: dict[str, Any]
) -> None:
    plan = translate("set-security-profile", version, NETWORK)
    assert [c.as_json() for c in plan.calls] == [
        {"action": "SetNetworkProfile", "payload": {"configurationSlot": 2, "connectionData": connection}},
        {
            "action": "SetVariables",
            "payload": {
                "setVariableData": [
                    {
                        "attributeValue": "2,1",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "NetworkConfigurationPriority"},
                    }
                ]
            },
        },
        {"action": "Reset", "payload": {"type": "OnIdle"}},
    ]
    assert plan.credentials == CredentialChange(security_profile=2, commit_call=1)


def test_the_options_of_the_network_profile() -> None:
    params = {**NETWORK, "ocpp_interface": "any", "message_timeout_s": 45, "reset": "immediate", "security_profile": 3}
    network, _, reset = translate("set-security-profile", V21, params).calls
    connection = network.payload["connectionData"]
    assert (connection["ocppInterface"], connection["messageTimeout"], connection["securityProfile"]) == ("Any", 45, 3)
    assert reset.payload == {"type": "Immediate"}
    with pytest.raises(NotExpressible, match=r"OCPP 2.0.1 has no any interface"):
        translate("set-security-profile", V201, params)


def test_ocpp2_results_give_each_step_and_stop_at_the_first_not_taken() -> None:
    plan = translate("set-security-profile", V201, NETWORK)
    assert plan.read([{"status": "Accepted"}, PRIORITY_ACCEPTED, {"status": "Scheduled"}]) == {
        "status": "scheduled",
        "steps": [
            {"action": "SetNetworkProfile", "status": "accepted"},
            {"action": "SetVariables", "status": "accepted"},
            {"action": "Reset", "status": "scheduled"},
        ],
    }
    assert not plan.proceed(0, {"status": "Rejected", "statusInfo": {"reasonCode": "NoCert"}})
    assert plan.read([{"status": "Rejected", "statusInfo": {"reasonCode": "NoCert"}}]) == {
        "status": "rejected",
        "status_info": {"reason_code": "NoCert"},
        "steps": [{"action": "SetNetworkProfile", "status": "rejected", "status_info": {"reason_code": "NoCert"}}],
    }
    assert plan.proceed(0, {"status": "Accepted"}) and plan.proceed(1, PRIORITY_ACCEPTED)


@pytest.mark.parametrize(
    ("version", "params", "why"),
    [
        (V16, NETWORK, "OCPP 1.6 has no network profiles: leave csms_url, configuration_slot, fallback_slots out"),
        (V201, {"security_profile": 2}, "OCPP 2.0.1 stations switch profiles through a network profile: give csms_url"),
        (V21, {"security_profile": 3}, "OCPP 2.1 stations switch profiles through a network profile"),
    ],
)
def test_what_a_version_cannot_express_is_refused(version: OcppVersion, params: dict[str, Any], why: str) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate("set-security-profile", version, params)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, r"params.security_profile: is required"),
        ({"security_profile": 1}, r"params.security_profile: must be 2 or 3 \(an upgrade\), got 1"),
        (
            {**NETWORK, "csms_url": "ws://csms.example/ocpp"},
            r"params.csms_url: security profiles 2 and 3 connect over TLS",
        ),
        ({"security_profile": 2, "csms_url": "wss://x"}, r"params.configuration_slot: is required"),
        ({"security_profile": 2, "configuration_slot": 1}, r"params.csms_url: is required"),
        ({**NETWORK, "fallback_slots": [2]}, r"params.fallback_slots\[0\]: slot 2 is already in the priority"),
        ({**NETWORK, "fallback_slots": [1, "x"]}, r"params.fallback_slots\[1\]: must be a slot number"),
        ({**NETWORK, "ocpp_interface": "Wired0"}, r"params.ocpp_interface: must be one of wired0, "),
        ({**NETWORK, "reset": "soft"}, r"params.reset: must be on_idle or immediate, got 'soft'"),
        ({**NETWORK, "message_timeout_s": 0}, r"params.message_timeout_s: must be at least 1"),
        ({**NETWORK, "url": "wss://x"}, r"params.url: unknown parameter"),
    ],
)
def test_invalid_params_name_the_field(params: Any, message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("set-security-profile", V201, params)
