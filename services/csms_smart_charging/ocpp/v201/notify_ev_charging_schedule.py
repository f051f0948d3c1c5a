"""OCPP 2.0.1 NotifyEVChargingSchedule (ISO 15118): the schedule the EV chose within the CSMS's profile; recorded
as sent and accepted."""

from __future__ import annotations

from ocpp.v201 import call, call_result
from ocpp.v201.enums import GenericStatusEnumType

from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.reports import record


async def handle(
    ctx: SmartChargingContext, request: call.NotifyEVChargingSchedule
) -> call_result.NotifyEVChargingSchedule:
    record(ctx, request)
    return call_result.NotifyEVChargingSchedule(status=GenericStatusEnumType.accepted)
