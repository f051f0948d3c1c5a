"""OCPP 2.0.1 GetChargingProfiles (CSMS → station), for `get-charging-profiles`: the station answers Accepted and
reports its matching profiles in ReportChargingProfiles with the requestId, or NoProfiles. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_charging_profiles import GetChargingProfiles


def request(command: GetChargingProfiles) -> call.GetChargingProfiles:
    criterion = {
        "charging_profile_purpose": command.purpose.value if command.purpose else None,
        "stack_level": command.stack_level,
        "charging_profile_id": list(command.ids) or None,
    }
    return call.GetChargingProfiles(
        request_id=command.request_id,
        evse_id=command.evse_id,
        charging_profile={name: value for name, value in criterion.items() if value is not None},
    )


def outcome(result: call_result.GetChargingProfiles) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
