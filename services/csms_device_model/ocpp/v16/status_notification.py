"""OCPP 1.6 StatusNotification: record a connector's status.

1.6 has no EVSE level: connector N (N > 0) is recorded as EVSE N, connector 1; connector 0 (the whole charge
point) as EVSE 0, connector 0.
"""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


async def handle(ctx: DeviceModelContext, request: call.StatusNotification) -> call_result.StatusNotification:
    reported_at = parse_ocpp_datetime(request.timestamp) if request.timestamp else ctx.now
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            connector_status_changed=device_model_pb2.ConnectorStatusChanged(
                evse_id=request.connector_id,
                connector_id=1 if request.connector_id > 0 else 0,
                status=request.status,
                error_code=request.error_code,
                timestamp=timestamp(reported_at),
            )
        )
    )
    return call_result.StatusNotification()
