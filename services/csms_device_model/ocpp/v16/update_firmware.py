"""OCPP 1.6 UpdateFirmware (CSMS → station), for `update-firmware` of an unsigned image: location, retrieve date,
retries. Its answer has no status: the CALLRESULT is the station's acceptance. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands.params import NotExpressible
from csms_device_model.domain.commands.update_firmware import UpdateFirmware


def request(command: UpdateFirmware) -> call.UpdateFirmware:
    if command.install_date_time is not None:
        raise NotExpressible("OCPP 1.6 UpdateFirmware has no install date-time: leave install_date_time out")
    return call.UpdateFirmware(
        location=command.location,
        retrieve_date=command.retrieve_date_time,
        retries=command.retry.retries,
        retry_interval=command.retry.retry_interval,
    )


def outcome(result: call_result.UpdateFirmware) -> dict[str, Any]:
    return {"status": "accepted"}
