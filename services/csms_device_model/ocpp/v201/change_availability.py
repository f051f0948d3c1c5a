"""OCPP 2.0.1 ChangeAvailability (CSMS → station), for `change-availability`: the station (no evse), an EVSE
or one connector of it. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v201 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.change_availability import ChangeAvailability


def request(command: ChangeAvailability) -> call.ChangeAvailability:
    return call.ChangeAvailability(
        operational_status=operational_status(command), evse=evse(command.evse_id, command.connector_id)
    )


def outcome(result: call_result.ChangeAvailability) -> dict[str, Any]:
    return results.status(result.status, result.status_info)


def operational_status(command: ChangeAvailability) -> str:
    return "Operative" if command.operational else "Inoperative"


def evse(evse_id: int | None, connector_id: int | None) -> dict[str, int] | None:
    """The 2.x EVSEType (snake_case, as the `ocpp` dataclasses take it) of an EVSE and, optionally, its connector."""
    if evse_id is None:
        return None
    return {"id": evse_id} if connector_id is None else {"id": evse_id, "connector_id": connector_id}
