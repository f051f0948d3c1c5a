"""OCPP 1.6 ClearChargingProfile (CSMS → station), for `clear-charging-profile`: EVSE N is connector N. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.clear_charging_profile import ClearChargingProfile
from csms_device_model.ocpp.v16.set_charging_profile import purpose


def request(command: ClearChargingProfile) -> call.ClearChargingProfile:
    return call.ClearChargingProfile(
        id=command.id,
        connector_id=command.evse_id,
        charging_profile_purpose=purpose(command.purpose) if command.purpose else None,
        stack_level=command.stack_level,
    )


def outcome(result: call_result.ClearChargingProfile) -> dict[str, Any]:
    return results.status(result.status)
