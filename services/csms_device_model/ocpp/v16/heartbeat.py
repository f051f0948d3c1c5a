"""OCPP 1.6 Heartbeat: answer the CSMS time (the station's last-seen time is projected from the frame log)."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms_device_model.ocpp.context import DeviceModelContext


async def handle(ctx: DeviceModelContext, request: call.Heartbeat) -> call_result.Heartbeat:
    return call_result.Heartbeat(current_time=ctx.now_iso())
