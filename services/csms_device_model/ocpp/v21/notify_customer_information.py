"""OCPP 2.1 NotifyCustomerInformation: as in 2.0.1 (one part of a customer information report)."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.notify_customer_information import record_part


async def handle(
    ctx: DeviceModelContext, request: call.NotifyCustomerInformation
) -> call_result.NotifyCustomerInformation:
    record_part(ctx, request)
    return call_result.NotifyCustomerInformation()
