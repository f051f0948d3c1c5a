"""OCPP 1.6 GetDiagnostics (CSMS → station), for `get-diagnostics`: the result names the file the station will
upload (`file_name`; absent: it has no diagnostics). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands.get_diagnostics import GetDiagnostics


def request(command: GetDiagnostics) -> call.GetDiagnostics:
    return call.GetDiagnostics(
        location=command.location,
        retries=command.retry.retries,
        retry_interval=command.retry.retry_interval,
        start_time=command.start_time,
        stop_time=command.stop_time,
    )


def outcome(result: call_result.GetDiagnostics) -> dict[str, Any]:
    return {"file_name": result.file_name} if result.file_name else {}
