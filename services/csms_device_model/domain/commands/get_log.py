"""`get-log` (1.6 security whitepaper, 2.x): the station uploads a log to `remote_location` (URL). Params:
`log_type` (diagnostics | security), `remote_location`, optional `oldest_timestamp`, `latest_timestamp`,
`retries`, `retry_interval`, and `request_id` (from the command id: the station's LogStatusNotifications carry
it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from csms_device_model.domain.commands.firmware import RETRY_PARAMS, Retries, date_time, location, retries
from csms_device_model.domain.commands.params import Params


class LogType(enum.Enum):
    DIAGNOSTICS = "diagnostics"
    SECURITY = "security"


LOG_TYPES = {LogType.DIAGNOSTICS: "DiagnosticsLog", LogType.SECURITY: "SecurityLog"}
"""The OCPP logType of each (the same in 1.6 and 2.x)."""


@dataclass(frozen=True)
class GetLog:
    log_type: LogType
    remote_location: str
    oldest_timestamp: str | None = None
    latest_timestamp: str | None = None
    retry: Retries = field(default_factory=Retries)
    request_id: int | None = None


def parse(raw: Any) -> GetLog:
    params = Params(
        raw, ("log_type", "remote_location", "oldest_timestamp", "latest_timestamp", *RETRY_PARAMS, "request_id")
    )
    log_type = params.choice("log_type", LogType, required=True)
    url = location(params, "remote_location")
    assert log_type is not None and url is not None
    return GetLog(
        log_type,
        url,
        date_time(params, "oldest_timestamp"),
        date_time(params, "latest_timestamp"),
        retries(params),
        params.integer("request_id", minimum=0),
    )
