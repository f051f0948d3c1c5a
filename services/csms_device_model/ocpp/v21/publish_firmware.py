"""OCPP 2.1 PublishFirmware (CSMS → local controller), for `publish-firmware`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.publish_firmware import PublishFirmware


def request(command: PublishFirmware) -> call.PublishFirmware:
    assert command.request_id is not None
    return call.PublishFirmware(
        location=command.location,
        checksum=command.checksum,
        request_id=command.request_id,
        retries=command.retry.retries,
        retry_interval=command.retry.retry_interval,
    )


def outcome(result: call_result.PublishFirmware) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
