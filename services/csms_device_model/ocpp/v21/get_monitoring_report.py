"""OCPP 2.1 GetMonitoringReport (CSMS → station), for `get-monitoring-report`: the station answers whether it will
report, then sends NotifyMonitoringReport parts with the same requestId. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_monitoring_report import GetMonitoringReport


def request(command: GetMonitoringReport) -> call.GetMonitoringReport:
    return call.GetMonitoringReport(
        request_id=command.request_id,
        monitoring_criteria=[criterion.ocpp for criterion in command.criteria] or None,
        component_variable=[
            {"component": t.component_type(), **({"variable": t.variable_type()} if t.variable else {})}
            for t in command.targets
        ]
        or None,
    )


def outcome(result: call_result.GetMonitoringReport, command: GetMonitoringReport) -> dict[str, Any]:
    return {**results.status(result.status, result.status_info), "request_id": command.request_id}
