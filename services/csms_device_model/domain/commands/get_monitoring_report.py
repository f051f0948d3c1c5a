"""`get-monitoring-report`: ask the station for its monitors, answered by NotifyMonitoringReport parts (OCPP 2.x
GetMonitoringReport). Params: `request_id` (set from the command id, `request_ids`), optional `criteria` (a list
of `threshold`, `delta`, `periodic`) and `targets` (a list of targets as in `monitoring.parse_target`, the
variable optional). The result: `{"status", "status_info"?, "request_id"}`; the parts are kept per station and
requestId by the device projection."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.monitoring import Target, parse_target
from csms_device_model.domain.commands.params import InvalidParams, Params


class Criterion(enum.Enum):
    THRESHOLD = "threshold"
    DELTA = "delta"
    PERIODIC = "periodic"

    @property
    def ocpp(self) -> str:
        return f"{self.value.capitalize()}Monitoring"


@dataclass(frozen=True)
class GetMonitoringReport:
    request_id: int
    criteria: tuple[Criterion, ...] = ()
    targets: tuple[Target, ...] = ()


def parse(raw: Any) -> GetMonitoringReport:
    params = Params(raw, ("request_id", "criteria", "targets"))
    request_id = params.integer("request_id", required=True, minimum=0)
    assert request_id is not None
    criteria = []
    for i, value in enumerate(params.items("criteria") or []):
        try:
            criteria.append(Criterion(value))
        except ValueError:
            names = ", ".join(c.value for c in Criterion)
            raise InvalidParams(f"{params.field('criteria')}[{i}]", f"must be one of {names}, got {value!r}") from None
    targets = [
        parse_target(item, f"{params.field('targets')}[{i}]", variable_required=False)
        for i, item in enumerate(params.items("targets") or [])
    ]
    return GetMonitoringReport(request_id, tuple(dict.fromkeys(criteria)), tuple(targets))
