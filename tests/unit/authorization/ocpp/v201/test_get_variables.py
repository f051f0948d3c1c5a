"""OCPP 2.0.1 GetVariables for the local list limits: the variables asked for and the limits read."""

from __future__ import annotations

from typing import Any

import pytest
from ocpp.v201 import call_result

from csms_authorization.domain.local_lists import MessageLimits
from csms_authorization.ocpp.v201 import get_variables
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion


def test_the_request_asks_for_the_local_list_controller_limits() -> None:
    payload = to_payload(get_variables.request())
    assert payload == {
        "getVariableData": [
            {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": "ItemsPerMessage"}},
            {"component": {"name": "LocalAuthListCtrlr"}, "variable": {"name": "BytesPerMessage"}},
        ]
    }
    validate(OcppVersion.V201, "GetVariables", MessageKind.REQUEST, payload)


def variable_result(name: str, value: str, status: str = "Accepted", component: str = "LocalAuthListCtrlr") -> Any:
    return {
        "attributeStatus": status,
        "attributeValue": value,
        "component": {"name": component},
        "variable": {"name": name},
    }


@pytest.mark.parametrize(
    ("results", "limits"),
    [
        (
            [variable_result("ItemsPerMessage", "50"), variable_result("BytesPerMessage", "4096")],
            MessageLimits(items_per_message=50, bytes_per_message=4096),
        ),
        (
            [variable_result("ItemsPerMessage", "", "UnknownVariable"), variable_result("BytesPerMessage", "900")],
            MessageLimits(bytes_per_message=900),
        ),
        ([variable_result("ItemsPerMessage", "50", component="OCPPCommCtrlr")], MessageLimits()),
        ([variable_result("ItemsPerMessage", "-3")], MessageLimits()),
    ],
)
def test_the_limits_are_read_from_the_answer(results: list[dict[str, Any]], limits: MessageLimits) -> None:
    answer = {"getVariableResult": results}
    validate(OcppVersion.V201, "GetVariables", MessageKind.RESPONSE, answer)
    assert get_variables.outcome(to_request(call_result.GetVariables, answer)) == limits
