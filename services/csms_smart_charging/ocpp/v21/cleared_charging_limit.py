"""OCPP 2.1 ClearedChargingLimit: an external limit the station had reported no longer applies; recorded as sent."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.reports import record


async def handle(ctx: SmartChargingContext, request: call.ClearedChargingLimit) -> call_result.ClearedChargingLimit:
    record(ctx, request)
    return call_result.ClearedChargingLimit()
