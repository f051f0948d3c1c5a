"""`set-variable-monitoring`: set monitors on component variables (OCPP 2.x SetVariableMonitoring; 1.6 has none).
Params: `monitors`, a non-empty list of `{target, type, value, severity, transaction?, id?}`: `target` as in
`monitoring.parse_target`, `type` a `MonitorType` (target_delta, target_delta_relative: 2.1 only), `value` a
number, `severity` 0..9, `transaction` (monitor only during a transaction), `id` to replace the station's monitor
of that id. The result: `{"results": [{"id", "status", "status_info"?, "target", "type", "value", "severity",
"transaction"}]}`, one per monitor in the order given, `id` as the station assigned it (null when it did not
accept it); the device projection keeps the accepted ones as the station's monitors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.monitoring import MonitorType, Target, parse_target, severity
from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class MonitorSetting:
    target: Target
    type: MonitorType
    value: float
    severity: int
    transaction: bool = False
    id: int | None = None


@dataclass(frozen=True)
class SetVariableMonitoring:
    monitors: tuple[MonitorSetting, ...]


def parse(raw: Any) -> SetVariableMonitoring:
    params = Params(raw, ("monitors",))
    listed = params.items("monitors", required=True)
    assert listed is not None
    return SetVariableMonitoring(
        tuple(_monitor(item, f"{params.field('monitors')}[{i}]") for i, item in enumerate(listed))
    )


def _monitor(raw: Any, where: str) -> MonitorSetting:
    params = Params(raw, ("target", "type", "value", "severity", "transaction", "id"), where)
    value = params.value("value", required=True)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParams(params.field("value"), f"must be a number, got {value!r}")
    kind = params.choice("type", MonitorType, required=True)
    assert kind is not None
    return MonitorSetting(
        parse_target(params.value("target", required=True), params.field("target")),
        kind,
        float(value),
        severity(params),
        bool(params.boolean("transaction")),
        params.integer("id", minimum=0),
    )
