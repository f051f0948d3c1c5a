"""OCPP 1.6 SetChargingProfile (CSMS → station, Smart Charging profile), for `set-charging-profile`: EVSE N is
connector N (0: the charge point), ChargingStationMaxProfile is ChargePointMaxProfile, one schedule per profile
and an integer transactionId; ChargingStationExternalConstraints does not exist. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.charging_profiles import Profile, Purpose, schedule_payload
from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.set_charging_profile import SetChargingProfile

PURPOSES = {
    Purpose.CHARGING_STATION_MAX: "ChargePointMaxProfile",
    Purpose.TX_DEFAULT: "TxDefaultProfile",
    Purpose.TX: "TxProfile",
}
"""The 1.6 chargingProfilePurpose of each neutral purpose (ChargingStationExternalConstraints has none)."""


def purpose(value: Purpose) -> str:
    if value not in PURPOSES:
        raise NotExpressible(f"OCPP 1.6 has no {value.value} (its purposes: {', '.join(PURPOSES.values())})")
    return PURPOSES[value]


def profile_payload(profile: Profile) -> dict[str, Any]:
    if len(profile.schedules) != 1:
        raise NotExpressible(f"an OCPP 1.6 profile has one schedule, got {len(profile.schedules)}")
    transaction_id = None
    if profile.transaction_id is not None:
        if not profile.transaction_id.isdigit():
            raise NotExpressible(f"an OCPP 1.6 transactionId is an integer, got {profile.transaction_id!r}")
        transaction_id = int(profile.transaction_id)
    payload = {
        "charging_profile_id": profile.id,
        "transaction_id": transaction_id,
        "stack_level": profile.stack_level,
        "charging_profile_purpose": purpose(profile.purpose),
        "charging_profile_kind": profile.kind.value,
        "recurrency_kind": profile.recurrency_kind.value if profile.recurrency_kind else None,
        "valid_from": profile.valid_from,
        "valid_to": profile.valid_to,
        "charging_schedule": schedule_payload(profile.schedules[0], with_id=False),
    }
    return {name: value for name, value in payload.items() if value is not None}


def request(command: SetChargingProfile) -> call.SetChargingProfile:
    return call.SetChargingProfile(connector_id=command.evse_id, cs_charging_profiles=profile_payload(command.profile))


def outcome(result: call_result.SetChargingProfile) -> dict[str, Any]:
    return results.status(result.status)
