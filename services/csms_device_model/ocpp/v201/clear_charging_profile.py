"""OCPP 2.0.1 ClearChargingProfile (CSMS → station), for `clear-charging-profile`: by chargingProfileId, or by
criteria (evseId, purpose, stackLevel). Shared with 2.1. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.clear_charging_profile import ClearChargingProfile


def criteria(command: ClearChargingProfile) -> dict[str, Any] | None:
    found = {
        "evse_id": command.evse_id,
        "charging_profile_purpose": command.purpose.value if command.purpose else None,
        "stack_level": command.stack_level,
    }
    given = {name: value for name, value in found.items() if value is not None}
    return given or None


def request(command: ClearChargingProfile) -> call.ClearChargingProfile:
    return call.ClearChargingProfile(charging_profile_id=command.id, charging_profile_criteria=criteria(command))


def outcome(result: call_result.ClearChargingProfile) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
