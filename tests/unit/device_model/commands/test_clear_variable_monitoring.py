"""`clear-variable-monitoring` in 2.0.1 and 2.1: the ids in one message, each id's status in the order given."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize("version", [V201, V21])
def test_the_ids_go_in_one_message_once_each(version: OcppVersion) -> None:
    plan = translate("clear-variable-monitoring", version, {"ids": [3, 1, 3]})
    assert [c.as_json() for c in plan.calls] == [{"action": "ClearVariableMonitoring", "payload": {"id": [3, 1]}}]


@pytest.mark.parametrize("version", [V201, V21])
def test_each_id_reads_its_status_and_an_unanswered_one_rejected(version: OcppVersion) -> None:
    plan = translate("clear-variable-monitoring", version, {"ids": [1, 2, 3]})
    answer = {
        "clearMonitoringResult": [
            {"id": 2, "status": "NotFound"},
            {"id": 1, "status": "Rejected", "statusInfo": {"reasonCode": "HardWired"}},
        ]
    }
    assert plan.read([answer]) == {
        "results": [
            {"id": 1, "status": "rejected", "status_info": {"reason_code": "HardWired"}},
            {"id": 2, "status": "not_found"},
            {"id": 3, "status": "rejected"},
        ]
    }


def test_1_6_has_no_monitoring() -> None:
    with pytest.raises(NotExpressible):
        translate("clear-variable-monitoring", V16, {"ids": [1]})


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "params.ids: is required"),
        ({"ids": []}, "params.ids: must be a non-empty list"),
        ({"ids": [1, "2"]}, r"params.ids\[1\]: must be a monitor id"),
        ({"ids": [-1]}, r"params.ids\[0\]: must be a monitor id"),
        ({"ids": [True]}, r"params.ids\[0\]: must be a monitor id"),
    ],
)
def test_invalid_params_name_the_field(params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate("clear-variable-monitoring", V201, params)
