"""OCPP 2.0.1 NotifyMonitoringReport: one part (seqNo, tbc) of the monitors the station reports for a
GetMonitoringReport's requestId. Emits one MonitoringReportPartReceived in the answer's Kafka transaction; the
device projection keeps each part by (station, requestId, seqNo), so a repeated part changes nothing, and the
monitors as reported. Shared with 2.1 (`record_part`), whose monitors add eventNotificationType."""

from __future__ import annotations

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.notify_event import monitored_variable
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


async def handle(ctx: DeviceModelContext, request: call.NotifyMonitoringReport) -> call_result.NotifyMonitoringReport:
    record_part(ctx, request)
    return call_result.NotifyMonitoringReport()


def record_part(
    ctx: DeviceModelContext, request: call.NotifyMonitoringReport | v21_call.NotifyMonitoringReport
) -> None:
    monitors = [
        device_model_pb2.ReportedMonitor(
            id=monitor["id"],
            target=monitored_variable(data["component"], data["variable"]),
            type=str(monitor["type"]),
            value=float(monitor["value"]),
            severity=monitor["severity"],
            transaction=bool(monitor["transaction"]),
            event_notification_type=str(monitor.get("event_notification_type") or ""),
        )
        for data in request.monitor or []
        for monitor in data["variable_monitoring"]
    ]
    part = device_model_pb2.MonitoringReportPartReceived(
        request_id=request.request_id,
        seq_no=request.seq_no,
        tbc=bool(request.tbc),
        generated_at=timestamp(parse_ocpp_datetime(request.generated_at)),
        monitors=monitors,
    )
    ctx.emit(device_model_pb2.DeviceModelEvent(monitoring_report_part_received=part))
