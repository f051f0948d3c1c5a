"""OCPP 2.1 UnpublishFirmware (CSMS → local controller), for `unpublish-firmware`: status DownloadOngoing,
NoFirmware or Unpublished. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.publish_firmware import UnpublishFirmware


def request(command: UnpublishFirmware) -> call.UnpublishFirmware:
    return call.UnpublishFirmware(checksum=command.checksum)


def outcome(result: call_result.UnpublishFirmware) -> dict[str, Any]:
    return results.status(result.status)
