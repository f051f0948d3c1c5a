"""OCPP 2.1 SetMonitoringBase (CSMS → station), for `set-monitoring-base`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.set_monitoring_base import SetMonitoringBase


def request(command: SetMonitoringBase) -> call.SetMonitoringBase:
    return call.SetMonitoringBase(monitoring_base=command.base.ocpp)


def outcome(result: call_result.SetMonitoringBase) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
