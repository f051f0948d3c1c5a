"""NotifyEvent cases shared by the 2.0.1 and 2.1 tests (`v201/test_notify_event.py`, `v21/test_notify_event.py`,
which give the version's `action`): one StationEventReported per EventData, in the order sent; the answer is empty;
a bad timestamp is a CALLERROR, never a crash."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.errors import ErrorKind, OcppCallError
from kit.builders.device_model import expected_event, make_context
from unit.device_model.ocpp.actions import Action

GENERATED = timestamp(datetime(2026, 11, 21, 11, 0, 5, tzinfo=UTC))


async def test_each_event_data_is_one_event(action: Action) -> None:
    ctx = make_context(action.version, action="NotifyEvent")
    request = action.call.NotifyEvent(
        generated_at="2026-11-21T11:00:05Z",
        seq_no=3,
        tbc=True,
        event_data=[
            {
                "event_id": 17,
                "timestamp": "2026-11-21T11:00:00Z",
                "trigger": "Alerting",
                "cause": 16,
                "actual_value": "81.5",
                "tech_code": "OVT",
                "tech_info": "connector too hot",
                "cleared": False,
                "transaction_id": "tx-1",
                "variable_monitoring_id": 4,
                "event_notification_type": "CustomMonitor",
                "component": {"name": "Connector", "instance": "A", "evse": {"id": 1, "connector_id": 2}},
                "variable": {"name": "Temperature", "instance": "Pin"},
            },
            {
                "event_id": 18,
                "timestamp": "2026-11-21T11:00:01+01:00",
                "trigger": "Delta",
                "actual_value": "Faulted",
                "event_notification_type": "HardWiredNotification",
                "component": {"name": "EVSE", "evse": {"id": 2}},
                "variable": {"name": "Problem"},
            },
        ],
    )
    assert await action.module.handle(ctx, request) == action.call_result.NotifyEvent()
    first = device_model_pb2.StationEventReported(
        event_id=17,
        timestamp=timestamp(datetime(2026, 11, 21, 11, 0, 0, tzinfo=UTC)),
        trigger="Alerting",
        cause=16,
        actual_value="81.5",
        tech_code="OVT",
        tech_info="connector too hot",
        transaction_id="tx-1",
        variable_monitoring_id=4,
        event_notification_type="CustomMonitor",
        target=device_model_pb2.MonitoredVariable(
            component="Connector",
            component_instance="A",
            evse_id=1,
            connector_id=2,
            variable="Temperature",
            variable_instance="Pin",
        ),
        generated_at=GENERATED,
        seq_no=3,
        tbc=True,
    )
    second = device_model_pb2.StationEventReported(
        event_id=18,
        timestamp=timestamp(datetime(2026, 11, 21, 10, 0, 1, tzinfo=UTC)),
        trigger="Delta",
        actual_value="Faulted",
        event_notification_type="HardWiredNotification",
        target=device_model_pb2.MonitoredVariable(component="EVSE", evse_id=2, variable="Problem"),
        generated_at=GENERATED,
        seq_no=3,
        tbc=True,
    )
    assert ctx.emitted.events == [
        expected_event(action.version, station_event_reported=first),
        expected_event(action.version, station_event_reported=second),
    ]


async def test_a_bad_timestamp_is_a_property_constraint_violation_and_emits_nothing(action: Action) -> None:
    ctx = make_context(action.version, action="NotifyEvent")
    request = action.call.NotifyEvent(
        generated_at="2026-11-21T11:00:05Z",
        seq_no=0,
        event_data=[
            {
                "event_id": 1,
                "timestamp": "yesterday",
                "trigger": "Alerting",
                "actual_value": "1",
                "event_notification_type": "CustomMonitor",
                "component": {"name": "EVSE"},
                "variable": {"name": "Power"},
            }
        ],
    )
    with pytest.raises(OcppCallError) as raised:
        await action.module.handle(ctx, request)
    assert raised.value.kind == ErrorKind.PROPERTY_CONSTRAINT_VIOLATION
    assert ctx.emitted.events == []
