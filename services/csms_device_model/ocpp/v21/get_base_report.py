"""OCPP 2.1 GetBaseReport (CSMS → station), for `get-base-report`: the report base and the command's
requestId; answered with its status (accepted, rejected, not_supported, empty_result_set). As 2.0.1
(`v201/get_base_report.py`). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_base_report import GetBaseReport


def request(command: GetBaseReport) -> call.GetBaseReport:
    return call.GetBaseReport(request_id=command.request_id, report_base=command.report_base.ocpp)


def outcome(result: call_result.GetBaseReport) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
