"""OCPP 1.6 Reset (CSMS → station), for the `reset` command: the whole station, Soft or Hard. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result
from ocpp.v16.enums import ResetType as V16ResetType

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.reset import Reset, ResetType

TYPES = {ResetType.SOFT: V16ResetType.soft, ResetType.HARD: V16ResetType.hard}


def request(command: Reset) -> call.Reset:
    if command.evse_id is not None:
        raise NotExpressible("OCPP 1.6 resets the whole station, not one EVSE: leave evse_id out")
    if command.type not in TYPES:
        raise NotExpressible(f"OCPP 1.6 has no {command.type.value} reset: its resets are soft or hard")
    return call.Reset(type=TYPES[command.type])


def outcome(result: call_result.Reset) -> dict[str, Any]:
    return results.status(result.status)
