"""OCPP 2.1 OpenPeriodicEventStream (station → CSMS): a station opens a stream of monitor values it will send as
NotifyPeriodicEventStream SENDs. Always Accepted; emits PeriodicStreamOpened (the stream's definition, kept per
station by the periodic-streams read model, docs/adr/0035)."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext


async def handle(ctx: DeviceModelContext, request: call.OpenPeriodicEventStream) -> call_result.OpenPeriodicEventStream:
    data = request.constant_stream_data
    params = data.get("params") or {}
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            periodic_stream_opened=device_model_pb2.PeriodicStreamOpened(
                stream_id=data["id"],
                variable_monitoring_id=data["variable_monitoring_id"],
                interval_s=params.get("interval") or 0,
                values=params.get("values") or 0,
            )
        )
    )
    return call_result.OpenPeriodicEventStream(status="Accepted")
