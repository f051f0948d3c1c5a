"""OCPP 2.0.1 UpdateFirmware (CSMS → station), for `update-firmware`: the firmware object (location, retrieve and
install date-times, signing certificate, signature), requestId, retries. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.update_firmware import UpdateFirmware


def firmware(command: UpdateFirmware) -> dict[str, Any]:
    """The `firmware` object of 2.x UpdateFirmware (the same in 2.0.1 and 2.1)."""
    fields = {
        "location": command.location,
        "retrieve_date_time": command.retrieve_date_time,
        "install_date_time": command.install_date_time,
        "signing_certificate": command.signing_certificate,
        "signature": command.signature,
    }
    return {k: v for k, v in fields.items() if v is not None}


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
