"""OCPP 2.0.1 SetChargingProfile (CSMS → station, block K), for `set-charging-profile`: one schedule per profile
(2.0.1 allows more only for ISO 15118 offers, which the CSMS does not make). The 2.x payload builders are shared
with 2.1. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.charging_profiles import Profile, schedule_payload
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.set_charging_profile import SetChargingProfile


def profile_payload(profile: Profile, max_schedules: int, version: str) -> dict[str, Any]:
    if len(profile.schedules) > max_schedules:
        raise NotExpressible(
            f"an OCPP {version} profile has at most {max_schedules} schedule(s), got {len(profile.schedules)}"
        )
    payload = {
        "id": profile.id,
        "stack_level": profile.stack_level,
        "charging_profile_purpose": profile.purpose.value,
        "charging_profile_kind": profile.kind.value,
        "recurrency_kind": profile.recurrency_kind.value if profile.recurrency_kind else None,
        "valid_from": profile.valid_from,
        "valid_to": profile.valid_to,
        "transaction_id": profile.transaction_id,
        "charging_schedule": [schedule_payload(s, with_id=True) for s in profile.schedules],
    }
    return {name: value for name, value in payload.items() if value is not None}


def request(command: SetChargingProfile) -> call.SetChargingProfile:
    profile = profile_payload(command.profile, 1, "2.0.1")
    return call.SetChargingProfile(evse_id=command.evse_id, charging_profile=profile)


def outcome(result: call_result.SetChargingProfile) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
