"""OCPP 2.1 SetChargingProfile (CSMS → station, block K), for `set-charging-profile`: up to 3 schedules per
profile, the 2.0.1 payload otherwise. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.set_charging_profile import SetChargingProfile
from csms_device_model.ocpp.v201.set_charging_profile import profile_payload


def request(command: SetChargingProfile) -> call.SetChargingProfile:
    profile = profile_payload(command.profile, 3, "2.1")
    return call.SetChargingProfile(evse_id=command.evse_id, charging_profile=profile)


def outcome(result: call_result.SetChargingProfile) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
