"""OCPP 2.1 SetVariables (CSMS → station), for `set-configuration`: as 2.0.1 (`v201/set_variables.py`). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands.set_configuration import SetConfiguration
from csms_device_model.ocpp.v201 import set_variables as v201


def request(command: SetConfiguration) -> call.SetVariables:
    return call.SetVariables(set_variable_data=v201.variable_data(command))


def outcome(result: call_result.SetVariables, command: SetConfiguration) -> dict[str, Any]:
    return v201.statuses(command, result.set_variable_result)
