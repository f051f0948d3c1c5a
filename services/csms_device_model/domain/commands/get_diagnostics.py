"""`get-diagnostics` (OCPP 1.6 only; 2.x stations use get-log): the station uploads a diagnostics file to
`location` (URL). Optional `start_time`, `stop_time` (the period the file covers), `retries`, `retry_interval`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csms_device_model.domain.commands.firmware import RETRY_PARAMS, Retries, date_time, location, retries
from csms_device_model.domain.commands.params import Params


@dataclass(frozen=True)
class GetDiagnostics:
    location: str
    start_time: str | None = None
    stop_time: str | None = None
    retry: Retries = field(default_factory=Retries)


def parse(raw: Any) -> GetDiagnostics:
    params = Params(raw, ("location", "start_time", "stop_time", *RETRY_PARAMS))
    url = location(params, "location")
    assert url is not None
    return GetDiagnostics(url, date_time(params, "start_time"), date_time(params, "stop_time"), retries(params))
