"""OCPP 2.0.1 NotifyEVChargingNeeds (ISO 15118): the EV's energy need, departure time and limits; recorded as sent
and answered Accepted (the CSMS answers the needs with a TxProfile; docs/adr/0041)."""

from __future__ import annotations

from ocpp.v201 import call, call_result
from ocpp.v201.enums import NotifyEVChargingNeedsStatusEnumType

from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.reports import record


async def handle(ctx: SmartChargingContext, request: call.NotifyEVChargingNeeds) -> call_result.NotifyEVChargingNeeds:
    record(ctx, request)
    return call_result.NotifyEVChargingNeeds(status=NotifyEVChargingNeedsStatusEnumType.accepted)
