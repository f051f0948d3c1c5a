"""`set-monitoring-base`: which monitors the station activates (OCPP 2.x SetMonitoringBase). Params: `base`:
`all`, `factory_default` or `hard_wired_only`. The result: `{"status", "status_info"?}`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import Params


class MonitoringBase(enum.Enum):
    ALL = "all"
    FACTORY_DEFAULT = "factory_default"
    HARD_WIRED_ONLY = "hard_wired_only"

    @property
    def ocpp(self) -> str:
        return {"all": "All", "factory_default": "FactoryDefault", "hard_wired_only": "HardWiredOnly"}[self.value]


@dataclass(frozen=True)
class SetMonitoringBase:
    base: MonitoringBase


def parse(raw: Any) -> SetMonitoringBase:
    base = Params(raw, ("base",)).choice("base", MonitoringBase, required=True)
    assert base is not None
    return SetMonitoringBase(base)
