"""OCPP 2.1 GetVariables (CSMS → station), for `get-configuration`: as 2.0.1 (`v201/get_variables.py`). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands.get_configuration import GetConfiguration
from csms_device_model.ocpp.v201 import get_variables as v201


def request(command: GetConfiguration) -> call.GetVariables:
    return call.GetVariables(get_variable_data=v201.variable_data(command))


def outcome(result: call_result.GetVariables, command: GetConfiguration) -> dict[str, Any]:
    return v201.configuration(command, result.get_variable_result)
