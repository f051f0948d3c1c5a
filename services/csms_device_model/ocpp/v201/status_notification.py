"""OCPP 2.0.1 StatusNotification: record the status of one connector of one EVSE (the recording is shared with
2.1, whose message has the same fields)."""

from __future__ import annotations

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


async def handle(ctx: DeviceModelContext, request: call.StatusNotification) -> call_result.StatusNotification:
    record_status(ctx, request)
    return call_result.StatusNotification()


def record_status(ctx: DeviceModelContext, request: call.StatusNotification | v21_call.StatusNotification) -> None:
    """Emits ConnectorStatusChanged."""
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            connector_status_changed=device_model_pb2.ConnectorStatusChanged(
                evse_id=request.evse_id,
                connector_id=request.connector_id,
                status=request.connector_status,
                timestamp=timestamp(parse_ocpp_datetime(request.timestamp)),
            )
        )
    )
