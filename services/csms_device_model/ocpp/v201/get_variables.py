"""OCPP 2.0.1 GetVariables (CSMS → station), for `get-configuration`: the keys as component variables, answered as
the neutral key-value model (Accepted → a value; UnknownComponent/UnknownVariable → unknown; others → rejected).
No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_configuration import GetConfiguration
from csms_device_model.domain.commands.params import snake
from csms_device_model.ocpp.v201.variables import answers, component, status_of, variable_type

UNKNOWN = ("UnknownComponent", "UnknownVariable")


def request(command: GetConfiguration) -> call.GetVariables:
    return call.GetVariables(get_variable_data=variable_data(command))


def outcome(result: call_result.GetVariables, command: GetConfiguration) -> dict[str, Any]:
    return configuration(command, result.get_variable_result)


def variable_data(command: GetConfiguration) -> list[dict[str, Any]]:
    return [{"component": component(key.v2()), "variable": variable_type(key.v2())} for key in command.keys]


def configuration(command: GetConfiguration, found: Iterable[dict[str, Any]]) -> dict[str, Any]:
    values, unknown, rejected = [], [], []
    for label, answer in answers(command.keys, found):
        status = status_of(answer, "attribute_status")
        if status == "Accepted":
            values.append({"key": label, "value": answer.get("attribute_value")})
        elif status in UNKNOWN:
            unknown.append(label)
        else:
            rejected.append({"key": label, "status": snake(status)})
    return results.configuration(values, unknown, rejected)
