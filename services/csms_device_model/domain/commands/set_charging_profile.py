"""`set-charging-profile`: install a charging profile on an EVSE (0: the whole station). Params: `evse_id`,
`profile` (`id`, `stack_level`, `purpose`, `kind`, `recurrency_kind`, `valid_from`, `valid_to`, `transaction_id`,
`schedules`: [{`id`, `start_schedule`, `duration`, `charging_rate_unit`, `min_charging_rate`, `periods`:
[{`start_period`, `limit`, `number_phases`}]}]; domain.commands.charging_profiles)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.charging_profiles import Profile, Purpose, parse_profile
from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class SetChargingProfile:
    evse_id: int
    profile: Profile


def parse(raw: Any) -> SetChargingProfile:
    params = Params(raw, ("evse_id", "profile"))
    evse_id = params.integer("evse_id", required=True, minimum=0)
    assert evse_id is not None
    profile = parse_profile(params.value("profile", required=True), params.field("profile"))
    if profile.purpose is Purpose.CHARGING_STATION_MAX and evse_id != 0:
        raise InvalidParams(params.field("evse_id"), "a ChargingStationMaxProfile is set on evse_id 0")
    if profile.purpose is Purpose.TX and evse_id == 0:
        raise InvalidParams(params.field("evse_id"), "a TxProfile is set on the EVSE of its transaction (not 0)")
    return SetChargingProfile(evse_id, profile)
