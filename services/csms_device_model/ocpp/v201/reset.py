"""OCPP 2.0.1 Reset (CSMS → station), for `reset`: Immediate or OnIdle, of the station or one EVSE. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.reset import Reset, ResetType

TYPES = {ResetType.IMMEDIATE: "Immediate", ResetType.ON_IDLE: "OnIdle"}


def request(command: Reset) -> call.Reset:
    return call.Reset(type=reset_type(command, TYPES, "2.0.1"), evse_id=command.evse_id)


def outcome(result: call_result.Reset) -> dict[str, Any]:
    return results.status(result.status, result.status_info)


def reset_type(command: Reset, types: dict[ResetType, str], version: str) -> str:
    """The version's reset type for the command's (2.0.1 and 2.1 have their own `TYPES`)."""
    if command.type not in types:
        names = " or ".join(t.value for t in types)
        raise NotExpressible(f"OCPP {version} has no {command.type.value} reset: its resets are {names}")
    return types[command.type]
