"""`change-availability`: make the station, one EVSE or one connector operative or inoperative. Params:
`operational` (bool), optional `evse_id`, optional `connector_id` (of that EVSE)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params, check_evse


@dataclass(frozen=True)
class ChangeAvailability:
    operational: bool
    evse_id: int | None = None  # None: the whole station
    connector_id: int | None = None  # None: the whole EVSE


def parse(raw: Any) -> ChangeAvailability:
    params = Params(raw, ("operational", "evse_id", "connector_id"))
    operational = params.boolean("operational", required=True)
    check_evse(params)
    assert operational is not None
    return ChangeAvailability(
        operational, params.integer("evse_id", minimum=1), params.integer("connector_id", minimum=1)
    )
