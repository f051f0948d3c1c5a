"""OCPP 2.1 NotifyEvent: as in 2.0.1 (each EventData one StationEventReported), with the event's own severity."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.notify_event import record_events


async def handle(ctx: DeviceModelContext, request: call.NotifyEvent) -> call_result.NotifyEvent:
    record_events(ctx, request)
    return call_result.NotifyEvent()
