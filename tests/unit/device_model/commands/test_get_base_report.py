"""`get-base-report` in 2.0.1 and 2.1: GetBaseReport with the report base and the command's requestId, its
status; refused for 1.6 and for bad params."""

from __future__ import annotations

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V2 = [OcppVersion.V201, OcppVersion.V21]


@pytest.mark.parametrize("version", V2)
@pytest.mark.parametrize(
    ("base", "sent"),
    [
        ("configuration_inventory", "ConfigurationInventory"),
        ("full_inventory", "FullInventory"),
        ("summary_inventory", "SummaryInventory"),
    ],
)
def test_get_base_report(version: OcppVersion, base: str, sent: str) -> None:
    plan = translate("get-base-report", version, {"report_base": base, "request_id": 42})
    assert [c.as_json() for c in plan.calls] == [
        {"action": "GetBaseReport", "payload": {"requestId": 42, "reportBase": sent}}
    ]
    assert plan.read([{"status": "Accepted"}]) == {"status": "accepted"}
    assert plan.read([{"status": "EmptyResultSet"}]) == {"status": "empty_result_set"}
    assert plan.read([{"status": "NotSupported", "statusInfo": {"reasonCode": "NoReports"}}]) == {
        "status": "not_supported",
        "status_info": {"reason_code": "NoReports"},
    }


def test_it_takes_a_request_id_from_the_command() -> None:
    assert takes_request_id("get-base-report")


def test_1_6_has_no_device_model_report() -> None:
    with pytest.raises(NotExpressible, match=r"OCPP 1\.6 has no device model report"):
        translate("get-base-report", OcppVersion.V16, {"report_base": "full_inventory", "request_id": 1})


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"request_id": 1}, r"params.report_base: is required"),
        ({"report_base": "everything", "request_id": 1}, r"params.report_base: must be one of configuration_inventory"),
        ({"report_base": "full_inventory"}, r"params.request_id: is required"),
        ({"report_base": "full_inventory", "request_id": -1}, r"params.request_id: must be at least 0"),
        ({"report_base": "full_inventory", "request_id": 1, "x": 1}, r"params.x: unknown parameter"),
    ],
)
def test_bad_params(params: dict[str, object], problem: str) -> None:
    with pytest.raises(InvalidParams, match=problem):
        translate("get-base-report", OcppVersion.V201, params)
