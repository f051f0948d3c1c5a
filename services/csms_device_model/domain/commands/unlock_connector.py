"""`unlock-connector`: unlock one connector. Params: `evse_id`, `connector_id` (both required)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params, check_evse


@dataclass(frozen=True)
class UnlockConnector:
    evse_id: int
    connector_id: int


def parse(raw: Any) -> UnlockConnector:
    params = Params(raw, ("evse_id", "connector_id"))
    check_evse(params, evse_required=True, connector_required=True)
    evse_id, connector_id = params.integer("evse_id", minimum=1), params.integer("connector_id", minimum=1)
    assert evse_id is not None and connector_id is not None
    return UnlockConnector(evse_id, connector_id)
