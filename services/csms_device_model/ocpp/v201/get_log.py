"""OCPP 2.0.1 GetLog (CSMS → station), for `get-log`: DiagnosticsLog or SecurityLog, the log object as in 1.6.
No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_log import LOG_TYPES, GetLog
from csms_device_model.ocpp.v16.get_log import log_parameters, with_filename


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
    return with_filename(results.status(result.status, result.status_info), result.filename)
