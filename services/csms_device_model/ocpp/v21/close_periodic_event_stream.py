"""OCPP 2.1 ClosePeriodicEventStream (station → CSMS): the station closed one of its streams; emits
PeriodicStreamClosed (docs/adr/0035). A stream the CSMS never saw opened is closed all the same."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext


async def handle(
    ctx: DeviceModelContext, request: call.ClosePeriodicEventStream
) -> call_result.ClosePeriodicEventStream:
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            periodic_stream_closed=device_model_pb2.PeriodicStreamClosed(stream_id=request.id)
        )
    )
    return call_result.ClosePeriodicEventStream()
