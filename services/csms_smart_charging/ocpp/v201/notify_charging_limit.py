"""OCPP 2.0.1 NotifyChargingLimit: a limit from outside the CSMS (an energy management system, the grid operator)
the station applies, optionally with its schedule; recorded as sent."""

from __future__ import annotations

from ocpp.v201 import call, call_result

from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.reports import record


async def handle(ctx: SmartChargingContext, request: call.NotifyChargingLimit) -> call_result.NotifyChargingLimit:
    record(ctx, request)
    return call_result.NotifyChargingLimit()
