"""OCPP 2.1 UpdateFirmware (CSMS → station), for `update-firmware`: the firmware object (location, retrieve and
install date-times, signing certificate, signature), requestId, retries; built as in 2.0.1. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.update_firmware import UpdateFirmware
from csms_device_model.ocpp.v201.update_firmware import firmware


def request(command: UpdateFirmware) -> call.UpdateFirmware:
    assert command.request_id is not None
    return call.UpdateFirmware(
        request_id=command.request_id,
        firmware=firmware(command),
        retries=command.retry.retries,
        retry_interval=command.retry.retry_interval,
    )


def outcome(result: call_result.UpdateFirmware) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
