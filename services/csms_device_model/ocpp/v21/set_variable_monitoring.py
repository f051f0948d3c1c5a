"""OCPP 2.1 SetVariableMonitoring (CSMS → station), for `set-variable-monitoring`: as 2.0.1, and 2.1's
target_delta and target_delta_relative monitor types. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands.set_variable_monitoring import SetVariableMonitoring
from csms_device_model.ocpp.v201.set_variable_monitoring import monitoring_data, results


def request(command: SetVariableMonitoring) -> call.SetVariableMonitoring:
    return call.SetVariableMonitoring(set_monitoring_data=monitoring_data(command))


def outcome(result: call_result.SetVariableMonitoring, command: SetVariableMonitoring) -> dict[str, Any]:
    return results(command, result.set_monitoring_result)
