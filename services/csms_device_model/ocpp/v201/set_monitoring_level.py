"""OCPP 2.0.1 SetMonitoringLevel (CSMS → station), for `set-monitoring-level`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.set_monitoring_level import SetMonitoringLevel


def request(command: SetMonitoringLevel) -> call.SetMonitoringLevel:
    return call.SetMonitoringLevel(severity=command.severity)


def outcome(result: call_result.SetMonitoringLevel) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
