"""`clear-charging-profile`: clear the station's profiles by `id`, or those matching `evse_id`, `purpose` and
`stack_level` (each optional; none given: every profile)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.charging_profiles import Purpose
from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class ClearChargingProfile:
    id: int | None = None
    evse_id: int | None = None
    purpose: Purpose | None = None
    stack_level: int | None = None


def parse(raw: Any) -> ClearChargingProfile:
    params = Params(raw, ("id", "evse_id", "purpose", "stack_level"))
    return ClearChargingProfile(
        params.integer("id", minimum=0),
        params.integer("evse_id", minimum=0),
        params.choice("purpose", Purpose),
        params.integer("stack_level", minimum=0),
    )
