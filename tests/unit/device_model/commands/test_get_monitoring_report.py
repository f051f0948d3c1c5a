"""`get-monitoring-report` in 2.0.1 and 2.1: the requestId (from the command id), optional criteria and targets;
the result says whether the station will report, with the requestId its NotifyMonitoringReport parts carry."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


def test_takes_a_request_id() -> None:
    assert takes_request_id("get-monitoring-report")


@pytest.mark.parametrize("version", [V201, V21])
def test_the_request_with_criteria_and_targets(version: OcppVersion) -> None:
    params = {
        "request_id": 42,
        "criteria": ["threshold", "periodic", "threshold"],
        "targets": ["EVSE", "EVSE.Power", {"component": "Connector", "evse_id": 1, "connector_id": 2}],
    }
    plan = translate("get-monitoring-report", version, params)
    assert [c.as_json() for c in plan.calls] == [
        {
            "action": "GetMonitoringReport",
            "payload": {
                "requestId": 42,
                "monitoringCriteria": ["ThresholdMonitoring", "PeriodicMonitoring"],
                "componentVariable": [
                    {"component": {"name": "EVSE"}},
                    {"component": {"name": "EVSE"}, "variable": {"name": "Power"}},
                    {"component": {"name": "Connector", "evse": {"id": 1, "connectorId": 2}}},
                ],
            },
        }
    ]
    assert plan.read([{"status": "Accepted"}]) == {"status": "accepted", "request_id": 42}


def test_everything_when_nothing_is_named() -> None:
    plan = translate("get-monitoring-report", V201, {"request_id": 1})
    assert plan.calls[0].payload == {"requestId": 1}
    assert plan.read([{"status": "EmptyResultSet"}]) == {"status": "empty_result_set", "request_id": 1}


def test_1_6_has_no_monitoring() -> None:
    with pytest.raises(NotExpressible):
        translate("get-monitoring-report", V16, {"request_id": 1})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.request_id: is required"),
        ({"request_id": 1, "criteria": ["fast"]}, r"params.criteria\[0\]: must be one of threshold, delta, periodic"),
        ({"request_id": 1, "targets": [""]}, r"params.targets\[0\]: unknown parameter|must be a JSON object"),
        ({"request_id": 1, "targets": ["EVSE."]}, r"params.targets\[0\]: 'EVSE.' is not Component or"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("get-monitoring-report", V201, params)
