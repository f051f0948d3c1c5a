"""`set-configuration` in every version behind one key-value model: 1.6 one ChangeConfiguration per key, 2.x one
SetVariables; values as text; one status per key in the order given."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
TWO = {"settings": [{"key": "HeartbeatInterval", "value": 120}, {"key": "LocalPreAuthorize", "value": True}]}


def test_16_sends_one_change_configuration_per_key_and_reads_each_status() -> None:
    plan = translate("set-configuration", V16, TWO)
    assert [c.as_json() for c in plan.calls] == [
        {"action": "ChangeConfiguration", "payload": {"key": "HeartbeatInterval", "value": "120"}},
        {"action": "ChangeConfiguration", "payload": {"key": "LocalPreAuthorize", "value": "true"}},
    ]
    assert plan.read([{"status": "Accepted"}, {"status": "RebootRequired"}]) == {
        "results": [
            {"key": "HeartbeatInterval", "status": "accepted"},
            {"key": "LocalPreAuthorize", "status": "reboot_required"},
        ]
    }


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_sends_one_set_variables_and_reads_each_status_in_the_order_given(version: OcppVersion) -> None:
    plan = translate("set-configuration", version, TWO)
    assert [c.as_json() for c in plan.calls] == [
        {
            "action": "SetVariables",
            "payload": {
                "setVariableData": [
                    {
                        "attributeValue": "120",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    },
                    {
                        "attributeValue": "true",
                        "component": {"name": "AuthCtrlr"},
                        "variable": {"name": "LocalPreAuthorize"},
                    },
                ]
            },
        }
    ]
    answer = {
        "setVariableResult": [
            {
                "attributeStatus": "NotSupportedAttributeType",
                "component": {"name": "AuthCtrlr"},
                "variable": {"name": "LocalPreAuthorize"},
                "attributeStatusInfo": {"reasonCode": "ReadOnly"},
            },
            {
                "attributeStatus": "Accepted",
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "HeartbeatInterval"},
            },
        ]
    }
    assert plan.read([answer]) == {
        "results": [
            {"key": "HeartbeatInterval", "status": "accepted"},
            {
                "key": "LocalPreAuthorize",
                "status": "not_supported_attribute_type",
                "status_info": {"reason_code": "ReadOnly"},
            },
        ]
    }


def test_one_key_and_value() -> None:
    plan = translate("set-configuration", V201, {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "60"})
    (call,) = plan.calls
    assert call.payload["setVariableData"][0]["attributeValue"] == "60"
    plan16 = translate("set-configuration", V16, {"key": "OCPPCommCtrlr.HeartbeatInterval", "value": "60"})
    assert [c.payload for c in plan16.calls] == [{"key": "HeartbeatInterval", "value": "60"}]


def test_a_key_without_an_equivalent_is_refused() -> None:
    with pytest.raises(NotExpressible, match=r"'NumberOfConnectors' is not an OCPP 1.6 key with a standard 2.x"):
        translate("set-configuration", V21, {"key": "NumberOfConnectors", "value": "2"})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.key: is required"),
        ({"key": "HeartbeatInterval"}, "params.value: is required"),
        ({"key": "HeartbeatInterval", "value": [1]}, "params.value: must be a string, number or boolean"),
        ({"settings": []}, "params.settings: must be a non-empty list"),
        ({"settings": [{"key": "A", "value": 1}], "key": "B"}, "params.settings: give either key and value or"),
        ({"settings": [{"key": "A", "value": 1}, {"key": "B"}]}, r"params.settings\[1\].value: is required"),
        ({"settings": [{"key": "A", "value": 1, "x": 2}]}, r"params.settings\[0\].x: unknown parameter"),
        ({"key": "HeartbeatInterval", "value": "x" * 501}, "payload not valid for ocpp1.6"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("set-configuration", V16, params)
