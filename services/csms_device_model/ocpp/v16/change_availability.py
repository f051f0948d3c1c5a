"""OCPP 1.6 ChangeAvailability (CSMS → station), for `change-availability`: connector 0 is the whole station,
connector N is EVSE N (1.6 has one connector per EVSE, recorded as its connector 1). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result
from ocpp.v16.enums import AvailabilityType

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.change_availability import ChangeAvailability
from csms_device_model.ocpp.v16.connectors import connector_of


def request(command: ChangeAvailability) -> call.ChangeAvailability:
    availability = AvailabilityType.operative if command.operational else AvailabilityType.inoperative
    return call.ChangeAvailability(connector_id=connector_of(command.evse_id, command.connector_id), type=availability)


def outcome(result: call_result.ChangeAvailability) -> dict[str, Any]:
    return results.status(result.status)
