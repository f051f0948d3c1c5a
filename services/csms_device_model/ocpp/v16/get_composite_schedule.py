"""OCPP 1.6 GetCompositeSchedule (CSMS → station), for `get-composite-schedule`: EVSE N is connector N (0: the
charge point's total). No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v16 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.charging_profiles import schedule_result
from csms_device_model.domain.commands.get_composite_schedule import GetCompositeSchedule


def request(command: GetCompositeSchedule) -> call.GetCompositeSchedule:
    unit = command.charging_rate_unit
    return call.GetCompositeSchedule(
        connector_id=command.evse_id, duration=command.duration, charging_rate_unit=unit.value if unit else None
    )


def outcome(result: call_result.GetCompositeSchedule) -> dict[str, Any]:
    found = results.status(result.status)
    if result.connector_id is not None:
        found["evse_id"] = result.connector_id
    schedule = schedule_result(result.charging_schedule)
    if schedule is not None:
        if result.schedule_start is not None:
            schedule["start_schedule"] = result.schedule_start
        found["schedule"] = schedule
    return found
