"""`clear-variable-monitoring`: remove monitors by id (OCPP 2.x ClearVariableMonitoring). Params: `ids`, a
non-empty list of monitor ids. The result: `{"results": [{"id", "status", "status_info"?}]}`, one per id in the
order given (`accepted`, `rejected`, `not_found`; an id the station left unanswered reads `rejected`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from csms_device_model.domain.commands.params import InvalidParams, Params


@dataclass(frozen=True)
class ClearVariableMonitoring:
    ids: tuple[int, ...]


def parse(raw: Any) -> ClearVariableMonitoring:
    params = Params(raw, ("ids",))
    listed = params.items("ids", required=True)
    assert listed is not None
    for i, value in enumerate(listed):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidParams(f"{params.field('ids')}[{i}]", f"must be a monitor id (an integer >= 0), got {value!r}")
    return ClearVariableMonitoring(tuple(dict.fromkeys(listed)))
