"""OCPP 2.1 StatusNotification: record the status of one connector of one EVSE (as in 2.0.1: the message has
the same fields)."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.status_notification import record_status


async def handle(ctx: DeviceModelContext, request: call.StatusNotification) -> call_result.StatusNotification:
    record_status(ctx, request)
    return call_result.StatusNotification()
