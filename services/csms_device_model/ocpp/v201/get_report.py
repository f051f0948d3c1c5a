"""OCPP 2.0.1 GetReport (CSMS → station), for `get-report`: the command's requestId and criteria;
answered with its status (accepted, rejected, not_supported, empty_result_set). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.get_report import GetReport


def request(command: GetReport) -> call.GetReport:
    return call.GetReport(
        request_id=command.request_id,
        component_variable=[cv.as_ocpp() for cv in command.component_variables] or None,
        component_criteria=[criterion.ocpp for criterion in command.component_criteria] or None,
    )


def outcome(result: call_result.GetReport) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
