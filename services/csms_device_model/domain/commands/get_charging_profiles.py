"""`get-charging-profiles` (2.x): the station reports its installed profiles matching `evse_id`, `purpose`,
`stack_level` and `ids` (each optional) in ReportChargingProfiles carrying `request_id` (from the command id).
Result: `{"status": "accepted" | "no_profiles"}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.charging_profiles import Purpose
from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class GetChargingProfiles:
    request_id: int
    evse_id: int | None = None
    purpose: Purpose | None = None
    stack_level: int | None = None
    ids: tuple[int, ...] = ()


def parse(raw: Any) -> GetChargingProfiles:
    params = Params(raw, ("evse_id", "purpose", "stack_level", "ids", "request_id"))
    ids = params.items("ids") or []
    if any(isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in ids):
        raise InvalidParams(params.field("ids"), f"must be a list of profile ids, got {ids!r}")
    request_id = params.integer("request_id", required=True, minimum=0)
    assert request_id is not None
    return GetChargingProfiles(
        request_id,
        params.integer("evse_id", minimum=0),
        params.choice("purpose", Purpose),
        params.integer("stack_level", minimum=0),
        tuple(ids),
    )
