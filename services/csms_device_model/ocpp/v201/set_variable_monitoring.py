"""OCPP 2.0.1 SetVariableMonitoring (CSMS → station), for `set-variable-monitoring`: every monitor in one message;
the station's results are paired with the monitors given (`results`, shared with 2.1). No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results as neutral
from csms_device_model.domain.commands.monitoring import V2_1_ONLY, target_of
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.set_variable_monitoring import MonitorSetting, SetVariableMonitoring


def request(command: SetVariableMonitoring) -> call.SetVariableMonitoring:
    for monitor in command.monitors:
        if monitor.type in V2_1_ONLY:
            raise NotExpressible(f"OCPP 2.0.1 has no {monitor.type.value} monitors (2.1 has)")
    return call.SetVariableMonitoring(set_monitoring_data=monitoring_data(command))


def outcome(result: call_result.SetVariableMonitoring, command: SetVariableMonitoring) -> dict[str, Any]:
    return results(command, result.set_monitoring_result)


def monitoring_data(command: SetVariableMonitoring) -> list[dict[str, Any]]:
    data = []
    for monitor in command.monitors:
        item: dict[str, Any] = {
            "value": monitor.value,
            "type": monitor.type.ocpp,
            "severity": monitor.severity,
            "transaction": monitor.transaction,
            "component": monitor.target.component_type(),
            "variable": monitor.target.variable_type(),
        }
        if monitor.id is not None:
            item["id"] = monitor.id
        data.append(item)
    return data


def _identity(monitor: MonitorSetting) -> tuple[Any, ...]:
    return (monitor.target, monitor.type.ocpp, monitor.severity)


def results(command: SetVariableMonitoring, found: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Each monitor with the result that answers it: the first unused result naming the same component variable,
    type and severity (stations answer in any order); a monitor left unanswered reads `rejected`."""
    answers = list(found)
    used: set[int] = set()
    paired = []
    for monitor in command.monitors:
        index = next(
            (
                i
                for i, answer in enumerate(answers)
                if i not in used
                and (
                    target_of(answer.get("component"), answer.get("variable")),
                    neutral.text(answer.get("type")),
                    answer.get("severity"),
                )
                == _identity(monitor)
            ),
            None,
        )
        answer = answers[index] if index is not None else {}
        if index is not None:
            used.add(index)
        paired.append(
            {
                "id": answer.get("id"),
                **neutral.status(answer.get("status", "Rejected"), answer.get("status_info")),
                "target": monitor.target.shown(),
                "type": monitor.type.value,
                "value": monitor.value,
                "severity": monitor.severity,
                "transaction": monitor.transaction,
            }
        )
    return {"results": paired}
