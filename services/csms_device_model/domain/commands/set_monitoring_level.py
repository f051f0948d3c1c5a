"""`set-monitoring-level`: the least urgent severity the station reports events of (OCPP 2.x SetMonitoringLevel).
Params: `severity` 0 (danger) .. 9 (debug). The result: `{"status", "status_info"?}`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.monitoring import severity
from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class SetMonitoringLevel:
    severity: int


def parse(raw: Any) -> SetMonitoringLevel:
    return SetMonitoringLevel(severity(Params(raw, ("severity",))))
