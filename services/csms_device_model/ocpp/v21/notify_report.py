"""OCPP 2.1 NotifyReport (station → CSMS): as 2.0.1 (`v201/notify_report.py`), with maxElements kept. No reads."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.v201.notify_report import record_part


async def handle(ctx: DeviceModelContext, request: call.NotifyReport) -> call_result.NotifyReport:
    record_part(ctx, request)
    return call_result.NotifyReport()
