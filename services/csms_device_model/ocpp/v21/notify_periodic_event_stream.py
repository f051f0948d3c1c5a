"""OCPP 2.1 NotifyPeriodicEventStream, a SEND (messageTypeId 6, never answered): values of an open stream, each
at basetime + t seconds. Emits PeriodicStreamDataReceived with the decoded timestamps (stored per station and
stream like meter data, docs/adr/0035). A value whose time cannot be computed drops the whole SEND (the router
logs it); a stream the CSMS never saw opened is stored all the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.errors import ErrorKind, OcppCallError
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


@dataclass
class NotifyPeriodicEventStream:
    """The SEND's payload (the `ocpp` package has a schema for it but no dataclass)."""

    id: int
    pending: int
    basetime: str
    data: list[dict[str, Any]]
    custom_data: dict[str, Any] | None = None


async def handle(ctx: DeviceModelContext, request: NotifyPeriodicEventStream) -> None:
    basetime = parse_ocpp_datetime(request.basetime)
    values = device_model_pb2.PeriodicStreamDataReceived(
        stream_id=request.id, pending=request.pending, basetime=timestamp(basetime)
    )
    for element in request.data:
        try:
            sampled_at = basetime + timedelta(seconds=element["t"])
        except OverflowError as exc:
            raise OcppCallError(
                ErrorKind.PROPERTY_CONSTRAINT_VIOLATION, f"offset t={element['t']} is out of range"
            ) from exc
        values.values.add(sampled_at=timestamp(sampled_at), value=element["v"])
    ctx.emit(device_model_pb2.DeviceModelEvent(periodic_stream_data_received=values))
