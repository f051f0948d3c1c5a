"""OCPP 2.0.1 SetVariables (CSMS → station), for `set-configuration`: every key in one message, each answered
with its status in the order the keys were given. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.set_configuration import SetConfiguration
from csms_device_model.ocpp.v201.variables import answers, component, status_of, variable_type


def request(command: SetConfiguration) -> call.SetVariables:
    return call.SetVariables(set_variable_data=variable_data(command))


def outcome(result: call_result.SetVariables, command: SetConfiguration) -> dict[str, Any]:
    return statuses(command, result.set_variable_result)


def variable_data(command: SetConfiguration) -> list[dict[str, Any]]:
    return [
        {"attribute_value": s.value, "component": component(s.key.v2()), "variable": variable_type(s.key.v2())}
        for s in command.settings
    ]


def statuses(command: SetConfiguration, found: Iterable[dict[str, Any]]) -> dict[str, Any]:
    keys = [setting.key for setting in command.settings]
    return {
        "results": [
            {"key": label, **results.status(status_of(answer, "attribute_status"), answer.get("attribute_status_info"))}
            for label, answer in answers(keys, found)
        ]
    }
