"""`raw`: any action the CSMS sends in the station's OCPP version, with its payload as that version spells it
(camelCase JSON). Params: `action`, `payload` (a JSON object, default {}). Checked against the version's schema
and direction when translated (`domain.calls`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class Raw:
    action: str
    payload: dict[str, Any] = field(default_factory=dict)


def parse(raw: Any) -> Raw:
    params = Params(raw, ("action", "payload"))
    action = params.text("action", required=True)
    payload = params.value("payload")
    if payload is None:
        payload = {}
    if not isinstance(payload, dict):
        raise InvalidParams(params.field("payload"), "must be a JSON object")
    assert action is not None
    return Raw(action, payload)
