"""OCPP 2.0.1 DataTransfer (CSMS → station), for `data-transfer`: data is any JSON value. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.data_transfer import DataTransfer


def request(command: DataTransfer) -> call.DataTransfer:
    return call.DataTransfer(vendor_id=command.vendor_id, message_id=command.message_id, data=command.data)


def outcome(result: call_result.DataTransfer) -> dict[str, Any]:
    return {**results.status(result.status, result.status_info), "data": result.data}
