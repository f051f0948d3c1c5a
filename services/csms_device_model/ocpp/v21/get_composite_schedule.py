"""OCPP 2.1 GetCompositeSchedule (CSMS → station), for `get-composite-schedule`. No I/O."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call, call_result

from csms_device_model.domain.commands import results
from csms_device_model.domain.commands.charging_profiles import schedule_result
from csms_device_model.domain.commands.get_composite_schedule import GetCompositeSchedule


def request(command: GetCompositeSchedule) -> call.GetCompositeSchedule:
    unit = command.charging_rate_unit
    return call.GetCompositeSchedule(
        evse_id=command.evse_id, duration=command.duration, charging_rate_unit=unit.value if unit else None
    )


def outcome(result: call_result.GetCompositeSchedule) -> dict[str, Any]:
    found = results.status(result.status, result.status_info)
    if result.schedule is not None:
        found["evse_id"] = result.schedule.get("evse_id")
        found["schedule"] = schedule_result(result.schedule)
    return found
