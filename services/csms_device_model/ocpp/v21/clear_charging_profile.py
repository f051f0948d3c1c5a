"""OCPP 2.1 ClearChargingProfile (CSMS → station), for `clear-charging-profile`: as in 2.0.1. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.clear_charging_profile import ClearChargingProfile
from csms_device_model.ocpp.v201.clear_charging_profile import criteria


def request(command: ClearChargingProfile) -> call.ClearChargingProfile:
    return call.ClearChargingProfile(charging_profile_id=command.id, charging_profile_criteria=criteria(command))


def outcome(result: call_result.ClearChargingProfile) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
