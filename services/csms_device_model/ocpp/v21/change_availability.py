"""OCPP 2.1 ChangeAvailability (CSMS → station), for `change-availability`: as 2.0.1
(`v201/change_availability.py`). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.change_availability import ChangeAvailability
from csms_device_model.ocpp.v201 import change_availability as v201


def request(command: ChangeAvailability) -> call.ChangeAvailability:
    return call.ChangeAvailability(
        operational_status=v201.operational_status(command), evse=v201.evse(command.evse_id, command.connector_id)
    )


def outcome(result: call_result.ChangeAvailability) -> dict[str, Any]:
    return results.status(result.status, result.status_info)
