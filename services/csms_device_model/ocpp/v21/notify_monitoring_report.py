"""OCPP 2.1 NotifyMonitoringReport: as in 2.0.1 (one part of a monitoring report), monitors with their
eventNotificationType."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.notify_monitoring_report import record_part


async def handle(ctx: DeviceModelContext, request: call.NotifyMonitoringReport) -> call_result.NotifyMonitoringReport:
    record_part(ctx, request)
    return call_result.NotifyMonitoringReport()
