"""`get-report` in 2.0.1 and 2.1: GetReport with the command's requestId, component criteria and component
variables; its status; refused for 1.6 and for bad params."""

from __future__ import annotations

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V2 = [OcppVersion.V201, OcppVersion.V21]


@pytest.mark.parametrize("version", V2)
def test_get_report_with_criteria(version: OcppVersion) -> None:
    params = {
        "request_id": 7,
        "component_criteria": ["problem", "enabled"],
        "component_variables": [
            {"component": "EVSE", "evse_id": 1, "connector_id": 2, "variable": "Power", "variable_instance": "L1"},
            {"component": "OCPPCommCtrlr", "component_instance": "main"},
        ],
    }
    plan = translate("get-report", version, params)
    assert [c.as_json() for c in plan.calls] == [
        {
            "action": "GetReport",
            "payload": {
                "requestId": 7,
                "componentCriteria": ["Problem", "Enabled"],
                "componentVariable": [
                    {
                        "component": {"name": "EVSE", "evse": {"id": 1, "connectorId": 2}},
                        "variable": {"name": "Power", "instance": "L1"},
                    },
                    {"component": {"name": "OCPPCommCtrlr", "instance": "main"}},
                ],
            },
        }
    ]
    assert plan.read([{"status": "Rejected"}]) == {"status": "rejected"}


@pytest.mark.parametrize("version", V2)
def test_get_report_without_criteria_asks_for_everything(version: OcppVersion) -> None:
    plan = translate("get-report", version, {"request_id": 3})
    assert [c.as_json() for c in plan.calls] == [{"action": "GetReport", "payload": {"requestId": 3}}]
    assert plan.read([{"status": "EmptyResultSet"}]) == {"status": "empty_result_set"}


def test_it_takes_a_request_id_from_the_command() -> None:
    assert takes_request_id("get-report")


def test_1_6_has_no_device_model_report() -> None:
    with pytest.raises(NotExpressible, match=r"OCPP 1\.6 has no device model report"):
        translate("get-report", OcppVersion.V16, {"request_id": 1})


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"request_id": 1, "component_criteria": ["broken"]}, r"params.component_criteria\[0\]: must be one of"),
        ({"request_id": 1, "component_criteria": "problem"}, r"params.component_criteria: must be a non-empty list"),
        ({"request_id": 1, "component_variables": [{"variable": "X"}]}, r"component_variables\[0\].component: is"),
        (
            {"request_id": 1, "component_variables": [{"component": "EVSE", "connector_id": 1}]},
            r"params.component_variables\[0\].evse_id: is required with connector_id",
        ),
        (
            {"request_id": 1, "component_variables": [{"component": "C", "variable_instance": "i"}]},
            r"params.component_variables\[0\].variable: is required with variable_instance",
        ),
        ({"request_id": 1, "component_variables": [{"component": "C", "x": 1}]}, r"\[0\].x: unknown parameter"),
    ],
)
def test_bad_params(params: dict[str, object], problem: str) -> None:
    with pytest.raises(InvalidParams, match=problem):
        translate("get-report", OcppVersion.V21, params)
