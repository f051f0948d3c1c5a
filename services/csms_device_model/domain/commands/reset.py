"""`reset`: restart the station, or on 2.x one EVSE. Params: `type` (soft | hard | immediate | on_idle |
immediate_and_resume) and optional `evse_id`. Which types each version has: ocpp/<version>/reset.py."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params


class ResetType(enum.Enum):
    SOFT = "soft"  # 1.6: stop transactions, then restart the software
    HARD = "hard"  # 1.6: restart now, hardware included
    IMMEDIATE = "immediate"  # 2.x: stop transactions, then reset
    ON_IDLE = "on_idle"  # 2.x: reset once no transaction runs
    IMMEDIATE_AND_RESUME = "immediate_and_resume"  # 2.1: reset, then resume the transactions


@dataclass(frozen=True)
class Reset:
    type: ResetType
    evse_id: int | None = None


def parse(raw: Any) -> Reset:
    params = Params(raw, ("type", "evse_id"))
    reset_type = params.choice("type", ResetType, required=True)
    assert reset_type is not None
    return Reset(reset_type, params.integer("evse_id", minimum=1))
