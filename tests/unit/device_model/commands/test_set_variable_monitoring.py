"""`set-variable-monitoring` in 2.0.1 and 2.1 (1.6 has no monitoring): every monitor in one SetVariableMonitoring;
the station's results paired with the monitors given, whatever their order."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21

POWER = {"target": "EVSE.Power", "type": "upper_threshold", "value": 22000, "severity": 4}
TEMPERATURE = {
    "target": {"component": "Connector", "variable": "Temperature", "evse_id": 1, "connector_id": 1},
    "type": "delta",
    "value": 5,
    "severity": 2,
    "transaction": True,
    "id": 7,
}
POWER_DATA = {
    "value": 22000.0,
    "type": "UpperThreshold",
    "severity": 4,
    "transaction": False,
    "component": {"name": "EVSE"},
    "variable": {"name": "Power"},
}
TEMPERATURE_DATA = {
    "value": 5.0,
    "type": "Delta",
    "severity": 2,
    "transaction": True,
    "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
    "variable": {"name": "Temperature"},
    "id": 7,
}


@pytest.mark.parametrize("version", [V201, V21])
def test_every_monitor_goes_in_one_message(version: OcppVersion) -> None:
    plan = translate("set-variable-monitoring", version, {"monitors": [POWER, TEMPERATURE]})
    assert [c.as_json() for c in plan.calls] == [
        {"action": "SetVariableMonitoring", "payload": {"setMonitoringData": [POWER_DATA, TEMPERATURE_DATA]}}
    ]


@pytest.mark.parametrize("version", [V201, V21])
def test_results_pair_with_the_monitors_given_in_any_order(version: OcppVersion) -> None:
    plan = translate("set-variable-monitoring", version, {"monitors": [POWER, TEMPERATURE]})
    answer = {
        "setMonitoringResult": [
            {
                "id": 7,
                "status": "Rejected",
                "statusInfo": {"reasonCode": "OutOfRange"},
                "type": "Delta",
                "severity": 2,
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                "variable": {"name": "Temperature"},
            },
            {
                "id": 12,
                "status": "Accepted",
                "type": "UpperThreshold",
                "severity": 4,
                "component": {"name": "EVSE"},
                "variable": {"name": "Power"},
            },
        ]
    }
    assert plan.read([answer]) == {
        "results": [
            {
                "id": 12,
                "status": "accepted",
                "target": {"component": "EVSE", "variable": "Power"},
                "type": "upper_threshold",
                "value": 22000.0,
                "severity": 4,
                "transaction": False,
            },
            {
                "id": 7,
                "status": "rejected",
                "status_info": {"reason_code": "OutOfRange"},
                "target": {"component": "Connector", "variable": "Temperature", "evse_id": 1, "connector_id": 1},
                "type": "delta",
                "value": 5.0,
                "severity": 2,
                "transaction": True,
            },
        ]
    }


def test_a_monitor_the_station_left_unanswered_reads_rejected_without_an_id() -> None:
    plan = translate("set-variable-monitoring", V201, {"monitors": [POWER, TEMPERATURE]})
    answer = {
        "setMonitoringResult": [
            {
                "id": 12,
                "status": "Accepted",
                **{k: POWER_DATA[k] for k in ("type", "severity", "component", "variable")},
            }
        ]
    }
    results = plan.read([answer])["results"]
    assert [r["id"] for r in results] == [12, None]
    assert [r["status"] for r in results] == ["accepted", "rejected"]


def test_target_delta_monitors_are_2_1_only() -> None:
    monitor = {**POWER, "type": "target_delta_relative"}
    payload = translate("set-variable-monitoring", V21, {"monitors": [monitor]}).calls[0].payload
    assert payload["setMonitoringData"][0]["type"] == "TargetDeltaRelative"
    with pytest.raises(NotExpressible, match=r"2\.0\.1 has no target_delta_relative monitors"):
        translate("set-variable-monitoring", V201, {"monitors": [monitor]})


def test_1_6_has_no_monitoring() -> None:
    with pytest.raises(NotExpressible, match=r"OCPP 1\.6 has no variable monitoring"):
        translate("set-variable-monitoring", V16, {"monitors": [POWER]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.monitors: is required"),
        ({"monitors": []}, "params.monitors: must be a non-empty list"),
        ({"monitors": [{**POWER, "severity": 10}]}, r"params.monitors\[0\].severity: must be 0 \(danger\) to 9"),
        ({"monitors": [{**POWER, "type": "often"}]}, r"params.monitors\[0\].type: must be one of upper_threshold"),
        ({"monitors": [{**POWER, "value": "high"}]}, r"params.monitors\[0\].value: must be a number"),
        ({"monitors": [{**POWER, "target": "EVSE"}]}, r"params.monitors\[0\].target: 'EVSE' is not Component.Variable"),
        (
            {"monitors": [{**POWER, "target": {"component": "EVSE", "variable": "Power", "connector_id": 1}}]},
            r"params.monitors\[0\].target.evse_id: is required with connector_id",
        ),
        ({"monitors": [{**POWER, "colour": "red"}]}, r"params.monitors\[0\].colour: unknown parameter"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("set-variable-monitoring", V201, params)
