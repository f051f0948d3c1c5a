"""OCPP 2.0.1 DataTransfer in both directions (data is any JSON value). Station → CSMS: answered by the vendor
registry (`vendor_data`). CSMS → station, for `data-transfer`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.data_transfer import DataTransfer
from csms_device_model.domain.vendors import OCPP_STATUS
from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.vendor_data import receive, status_info


def request(command: DataTransfer) -> call.DataTransfer:
    return call.DataTransfer(vendor_id=command.vendor_id, message_id=command.message_id, data=command.data)


def outcome(result: call_result.DataTransfer) -> dict[str, Any]:
    return {**results.status(result.status, result.status_info), "data": result.data}


async def handle(ctx: DeviceModelContext, request: call.DataTransfer) -> call_result.DataTransfer:
    answered = receive(ctx, request.vendor_id, request.message_id, request.data)
    return call_result.DataTransfer(
        status=OCPP_STATUS[answered.status], data=answered.data, status_info=status_info(answered)
    )
