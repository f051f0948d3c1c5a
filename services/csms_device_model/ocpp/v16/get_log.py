"""OCPP 1.6 GetLog (CSMS → station; security whitepaper), for `get-log`: DiagnosticsLog or SecurityLog. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_log import LOG_TYPES, GetLog


def log_parameters(command: GetLog) -> dict[str, Any]:
    """The `log` object of GetLog (the same in 1.6 and 2.x)."""
    log = {
        "remote_location": command.remote_location,
        "oldest_timestamp": command.oldest_timestamp,
        "latest_timestamp": command.latest_timestamp,
    }
    return {k: v for k, v in log.items() if v is not None}


def request(command: GetLog) -> call.GetLog:
    assert command.request_id is not None
    return call.GetLog(
        log=log_parameters(command),
        log_type=LOG_TYPES[command.log_type],
        request_id=command.request_id,
        retries=command.retry.retries,
        retry_interval=command.retry.retry_interval,
    )


def outcome(result: call_result.GetLog) -> dict[str, Any]:
    return with_filename(results.status(result.status), result.filename)


def with_filename(answer: dict[str, Any], filename: str | None) -> dict[str, Any]:
    """The status answer with the name of the file the station will upload, when it gives one."""
    return {**answer, "filename": filename} if filename else answer
