"""NotifyMonitoringReport cases shared by the 2.0.1 and 2.1 tests (`v201|v21/test_notify_monitoring_report.py`,
which give the version's `action`): one MonitoringReportPartReceived per part, with every monitor of every
component variable it lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context
from unit.device_model.ocpp.actions import Action


def notification_of(version: OcppVersion) -> dict[str, Any]:
    """The monitor field 2.1 added (eventNotificationType), as the tests send it."""
    return {"event_notification_type": "CustomMonitor"} if version is OcppVersion.V21 else {}


async def test_a_part_with_its_monitors(action: Action) -> None:
    ctx = make_context(action.version, action="NotifyMonitoringReport")
    request = action.call.NotifyMonitoringReport(
        request_id=42,
        seq_no=1,
        tbc=True,
        generated_at="2026-11-21T11:00:00Z",
        monitor=[
            {
                "component": {"name": "EVSE", "evse": {"id": 1}},
                "variable": {"name": "Power"},
                "variable_monitoring": [
                    {
                        "id": 1,
                        "transaction": False,
                        "value": 22000,
                        "type": "UpperThreshold",
                        "severity": 4,
                        **notification_of(action.version),
                    },
                    {
                        "id": 2,
                        "transaction": True,
                        "value": 10.5,
                        "type": "Delta",
                        "severity": 8,
                        **notification_of(action.version),
                    },
                ],
            }
        ],
    )
    assert await action.module.handle(ctx, request) == action.call_result.NotifyMonitoringReport()
    power = device_model_pb2.MonitoredVariable(component="EVSE", evse_id=1, variable="Power")
    notification = notification_of(action.version).get("event_notification_type", "")
    part = device_model_pb2.MonitoringReportPartReceived(
        request_id=42,
        seq_no=1,
        tbc=True,
        generated_at=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC)),
        monitors=[
            device_model_pb2.ReportedMonitor(
                id=1, target=power, type="UpperThreshold", value=22000, severity=4, event_notification_type=notification
            ),
            device_model_pb2.ReportedMonitor(
                id=2,
                target=power,
                type="Delta",
                value=10.5,
                severity=8,
                transaction=True,
                event_notification_type=notification,
            ),
        ],
    )
    assert ctx.emitted.events == [expected_event(action.version, monitoring_report_part_received=part)]


async def test_an_empty_last_part(action: Action) -> None:
    ctx = make_context(action.version, action="NotifyMonitoringReport")
    request = action.call.NotifyMonitoringReport(request_id=42, seq_no=0, generated_at="2026-11-21T11:00:00Z")
    await action.module.handle(ctx, request)
    part = device_model_pb2.MonitoringReportPartReceived(
        request_id=42, seq_no=0, tbc=False, generated_at=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC))
    )
    assert ctx.emitted.events == [expected_event(action.version, monitoring_report_part_received=part)]
