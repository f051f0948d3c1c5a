"""OCPP 2.1 Reset (CSMS → station), for `reset`: as 2.0.1 (`v201/reset.py`) plus ImmediateAndResume. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.reset import Reset, ResetType
from csms_device_model.ocpp.v201 import reset as v201

TYPES = {**v201.TYPES, ResetType.IMMEDIATE_AND_RESUME: "ImmediateAndResume"}


def request(command: Reset) -> call.Reset:
    return call.Reset(type=v201.reset_type(command, TYPES, "2.1"), evse_id=command.evse_id)


def outcome(result: call_result.Reset) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
