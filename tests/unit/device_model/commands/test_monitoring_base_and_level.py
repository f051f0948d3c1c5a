"""`set-monitoring-base` and `set-monitoring-level` in 2.0.1 and 2.1: one CALL each, a status answer."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21


@pytest.mark.parametrize("version", [V201, V21])
@pytest.mark.parametrize(
    ("base", "sent"), [("all", "All"), ("factory_default", "FactoryDefault"), ("hard_wired_only", "HardWiredOnly")]
)
def test_set_monitoring_base(version: OcppVersion, base: str, sent: str) -> None:
    plan = translate("set-monitoring-base", version, {"base": base})
    assert [c.as_json() for c in plan.calls] == [{"action": "SetMonitoringBase", "payload": {"monitoringBase": sent}}]
    assert plan.read([{"status": "NotSupported"}]) == {"status": "not_supported"}


@pytest.mark.parametrize("version", [V201, V21])
def test_set_monitoring_level(version: OcppVersion) -> None:
    plan = translate("set-monitoring-level", version, {"severity": 0})
    assert [c.as_json() for c in plan.calls] == [{"action": "SetMonitoringLevel", "payload": {"severity": 0}}]
    assert plan.read([{"status": "Rejected", "statusInfo": {"reasonCode": "X", "additionalInfo": "y"}}]) == {
        "status": "rejected",
        "status_info": {"reason_code": "X", "additional_info": "y"},
    }


@pytest.mark.parametrize(
    ("command", "params"), [("set-monitoring-base", {"base": "all"}), ("set-monitoring-level", {"severity": 1})]
)
def test_1_6_has_no_monitoring(command: str, params: dict[str, Any]) -> None:
    with pytest.raises(NotExpressible):
        translate(command, V16, params)


@pytest.mark.parametrize(
    ("command", "params", "message"),
    [
        ("set-monitoring-base", {}, "params.base: is required"),
        ("set-monitoring-base", {"base": "All"}, "params.base: must be one of all, factory_default, hard_wired_only"),
        ("set-monitoring-level", {}, "params.severity: is required"),
        ("set-monitoring-level", {"severity": -1}, r"params.severity: must be 0 \(danger\) to 9 \(debug\), got -1"),
        ("set-monitoring-level", {"severity": "5"}, "params.severity: must be an integer"),
    ],
)
def test_invalid_params_name_the_field(command: str, params: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParams, match=message):
        translate(command, V201, params)
