"""`get-configuration` in every version behind one key-value model: 1.6 GetConfiguration of keys (none: all),
2.x GetVariables of the keys' standard variables (none: every standard key); 1.6 names, 2.x `Component.Variable`
names and variable objects mapped both ways where the specifications define a mapping."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.configuration import STANDARD_KEYS
from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import AnswerNotUnderstood, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


def payload(version: OcppVersion, params: dict[str, Any]) -> dict[str, Any]:
    (call,) = translate("get-configuration", version, params).calls
    return call.payload


def test_16_asks_for_the_keys_in_its_own_names() -> None:
    keys = ["HeartbeatInterval", "SampledDataCtrlr.TxUpdatedInterval", "VendorKey"]
    assert payload(V16, {"keys": keys}) == {"key": ["HeartbeatInterval", "MeterValueSampleInterval", "VendorKey"]}
    assert payload(V16, {}) == {}
    variable = {"component": "OCPPCommCtrlr", "variable": "MessageAttempts", "variable_instance": "TransactionEvent"}
    assert payload(V16, {"keys": [variable]}) == {"key": ["TransactionMessageAttempts"]}


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_asks_for_the_standard_variables(version: OcppVersion) -> None:
    keys = [
        "MeterValueSampleInterval",
        "OCPPCommCtrlr.HeartbeatInterval",
        {"component": "EVSE", "variable": "Power", "evse_id": 1, "connector_id": 2, "component_instance": "x"},
        "TransactionMessageAttempts",
    ]
    assert payload(version, {"keys": keys}) == {
        "getVariableData": [
            {"component": {"name": "SampledDataCtrlr"}, "variable": {"name": "TxUpdatedInterval"}},
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {
                "component": {"name": "EVSE", "instance": "x", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "Power"},
            },
            {
                "component": {"name": "OCPPCommCtrlr"},
                "variable": {"name": "MessageAttempts", "instance": "TransactionEvent"},
            },
        ]
    }


def test_2x_without_keys_asks_for_every_standard_key() -> None:
    asked = payload(V201, {})["getVariableData"]
    assert len(asked) == len(STANDARD_KEYS)
    assert {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}} in asked


def test_16_answer_reads_as_the_key_value_model_in_the_callers_names() -> None:
    plan = translate(
        "get-configuration", V16, {"keys": ["heartbeatinterval", "SampledDataCtrlr.TxUpdatedInterval", "X"]}
    )
    answer = {
        "configurationKey": [
            {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
            {"key": "MeterValueSampleInterval", "readonly": True, "value": "60"},
        ],
        "unknownKey": ["X"],
    }
    assert plan.read([answer]) == {
        "configuration": [
            {"key": "heartbeatinterval", "value": "300", "readonly": False},
            {"key": "SampledDataCtrlr.TxUpdatedInterval", "value": "60", "readonly": True},
        ],
        "unknown_keys": ["X"],
        "rejected": [],
    }


def test_16_answer_to_all_keys_keeps_the_stations_names() -> None:
    plan = translate("get-configuration", V16, {})
    answer = {"configurationKey": [{"key": "Vendor.Thing", "readonly": True}]}
    assert plan.read([answer])["configuration"] == [{"key": "Vendor.Thing", "value": None, "readonly": True}]


@pytest.mark.parametrize("version", [V201, V21])
def test_2x_answer_reads_as_the_key_value_model_in_any_order(version: OcppVersion) -> None:
    keys = ["HeartbeatInterval", "OCPPCommCtrlr.Unknown", "AuthCtrlr.LocalPreAuthorize", "WebSocketPingInterval"]
    plan = translate("get-configuration", version, {"keys": keys})

    def result(component: str, variable: str, status: str, value: str | None = None) -> dict[str, Any]:
        found = {"attributeStatus": status, "component": {"name": component}, "variable": {"name": variable}}
        return found | ({"attributeValue": value} if value is not None else {})

    answer = {
        "getVariableResult": [
            result("ocppcommctrlr", "unknown", "UnknownVariable"),
            result("AuthCtrlr", "LocalPreAuthorize", "Rejected"),
            result("OCPPCommCtrlr", "HeartbeatInterval", "Accepted", "300"),
        ]
    }
    assert plan.read([answer]) == {
        "configuration": [{"key": "HeartbeatInterval", "value": "300"}],
        "unknown_keys": ["OCPPCommCtrlr.Unknown"],
        "rejected": [
            {"key": "AuthCtrlr.LocalPreAuthorize", "status": "rejected"},
            {"key": "WebSocketPingInterval", "status": "rejected"},  # left unanswered by the station
        ],
    }


def test_an_answer_outside_the_schema_is_not_understood() -> None:
    plan = translate("get-configuration", V201, {"keys": ["HeartbeatInterval"]})
    with pytest.raises(AnswerNotUnderstood, match="GetVariables answer"):
        plan.read([{"results": []}])


@pytest.mark.parametrize(
    ("version", "key", "why"),
    [
        (V201, "VendorKey", "'VendorKey' is not an OCPP 1.6 key with a standard 2.x variable"),
        (V21, "NumberOfConnectors", "'NumberOfConnectors' is not an OCPP 1.6 key with a standard 2.x variable"),
        (V16, "OCPPCommCtrlr.NetworkConfigurationPriority", "has no OCPP 1.6 configuration key"),
        (V16, {"component": "EVSE", "variable": "Power", "evse_id": 1}, "has no OCPP 1.6 configuration key"),
    ],
)
def test_a_key_without_an_equivalent_in_the_version_is_refused(version: OcppVersion, key: Any, why: str) -> None:
    with pytest.raises(NotExpressible, match=why):
        translate("get-configuration", version, {"keys": [key]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"keys": "HeartbeatInterval"}, "params.keys: must be a non-empty list"),
        ({"keys": [""]}, r"params.keys\[0\]: must be a key name"),
        ({"keys": ["A", 5]}, r"params.keys\[1\]: must be a key name"),
        ({"keys": [".Variable"]}, r"params.keys\[0\]: '.Variable' is neither a 1.6 key nor Component.Variable"),
        ({"keys": [{"variable": "V"}]}, r"params.keys\[0\].component: is required"),
        ({"keys": [{"component": "C", "variable": "V", "connector_id": 1}]}, r"params.keys\[0\].evse_id: is required"),
        ({"keys": [{"component": "C", "variable": "V", "evse": 1}]}, r"params.keys\[0\].evse: unknown parameter"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("get-configuration", V201, params)
