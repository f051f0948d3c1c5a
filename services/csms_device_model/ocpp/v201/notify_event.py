"""OCPP 2.0.1 NotifyEvent: the station reports events (faults, monitor triggers, their clearing). Each EventData
becomes one StationEventReported, emitted in the answer's Kafka transaction; the device projection keeps them as
the station's event log and the API streams them live. The recording is shared with 2.1 (`record_events`), whose
EventData adds `severity`."""

from __future__ import annotations

from typing import Any

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


async def handle(ctx: DeviceModelContext, request: call.NotifyEvent) -> call_result.NotifyEvent:
    record_events(ctx, request)
    return call_result.NotifyEvent()


def record_events(ctx: DeviceModelContext, request: call.NotifyEvent | v21_call.NotifyEvent) -> None:
    """Emits one StationEventReported per EventData, in the order sent."""
    generated_at = timestamp(parse_ocpp_datetime(request.generated_at))
    for data in request.event_data:
        event = device_model_pb2.StationEventReported(
            event_id=data["event_id"],
            timestamp=timestamp(parse_ocpp_datetime(data["timestamp"])),
            trigger=str(data["trigger"]),
            actual_value=data.get("actual_value", ""),
            tech_code=data.get("tech_code") or "",
            tech_info=data.get("tech_info") or "",
            cleared=bool(data.get("cleared")),
            transaction_id=data.get("transaction_id") or "",
            event_notification_type=str(data["event_notification_type"]),
            target=monitored_variable(data["component"], data["variable"]),
            generated_at=generated_at,
            seq_no=request.seq_no,
            tbc=bool(request.tbc),
        )
        for field in ("cause", "variable_monitoring_id", "severity"):
            if data.get(field) is not None:
                setattr(event, field, data[field])
        ctx.emit(device_model_pb2.DeviceModelEvent(station_event_reported=event))


def monitored_variable(component: dict[str, Any], variable: dict[str, Any]) -> device_model_pb2.MonitoredVariable:
    """A station's ComponentType and VariableType (snake_case dicts, as the `ocpp` dataclasses hold them)."""
    found = device_model_pb2.MonitoredVariable(
        component=component["name"],
        component_instance=component.get("instance") or "",
        variable=variable["name"],
        variable_instance=variable.get("instance") or "",
    )
    evse = component.get("evse")
    if evse is not None:
        found.evse_id = evse["id"]
        if evse.get("connector_id") is not None:
            found.connector_id = evse["connector_id"]
    return found
