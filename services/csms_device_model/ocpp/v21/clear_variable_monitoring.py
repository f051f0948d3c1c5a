"""OCPP 2.1 ClearVariableMonitoring (CSMS → station), for `clear-variable-monitoring`: every id in one message,
each answered with its status in the order the ids were given. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.clear_variable_monitoring import ClearVariableMonitoring


def request(command: ClearVariableMonitoring) -> call.ClearVariableMonitoring:
    return call.ClearVariableMonitoring(id=list(command.ids))


def outcome(result: call_result.ClearVariableMonitoring, command: ClearVariableMonitoring) -> dict[str, Any]:
    return results.by_id(command.ids, result.clear_monitoring_result)
