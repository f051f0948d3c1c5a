"""OCPP 2.1 ReportChargingProfiles: the profiles installed on one EVSE, answering get-charging-profiles (by its
requestId; tbc: more reports of the request follow); recorded as sent."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.reports import record


async def handle(ctx: SmartChargingContext, request: call.ReportChargingProfiles) -> call_result.ReportChargingProfiles:
    record(ctx, request)
    return call_result.ReportChargingProfiles()
