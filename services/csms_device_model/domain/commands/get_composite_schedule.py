"""`get-composite-schedule`: the schedule the station will apply on an EVSE (0: the station's total) over the next
`duration` seconds, in `charging_rate_unit` (A or W; absent: the station's choice). Result: `{"status",
"status_info"?, "evse_id", "schedule"?: {"start_schedule", "duration", "charging_rate_unit", "periods",
"min_charging_rate"?}}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.charging_profiles import RateUnit
from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class GetCompositeSchedule:
    evse_id: int
    duration: int
    charging_rate_unit: RateUnit | None = None


def parse(raw: Any) -> GetCompositeSchedule:
    params = Params(raw, ("evse_id", "duration", "charging_rate_unit"))
    evse_id = params.integer("evse_id", required=True, minimum=0)
    duration = params.integer("duration", required=True, minimum=1)
    assert evse_id is not None and duration is not None
    return GetCompositeSchedule(evse_id, duration, params.choice("charging_rate_unit", RateUnit))
