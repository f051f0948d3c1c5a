from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v16 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.v16 import status_notification
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import NOW, expected_event, make_context


async def test_connector_maps_to_evse_with_one_connector() -> None:
    ctx = make_context(OcppVersion.V16)
    request = call.StatusNotification(
        connector_id=2, error_code="NoError", status="Charging", timestamp="2026-11-21T11:59:00+01:00"
    )
    assert await status_notification.handle(ctx, request) == call_result.StatusNotification()
    changed = device_model_pb2.ConnectorStatusChanged(
        evse_id=2,
        connector_id=1,
        status="Charging",
        error_code="NoError",
        timestamp=timestamp(datetime(2026, 11, 21, 10, 59, tzinfo=UTC)),
    )
    assert ctx.emitted.events == [expected_event(OcppVersion.V16, connector_status_changed=changed)]


async def test_connector_zero_without_timestamp_uses_the_receive_time() -> None:
    ctx = make_context(OcppVersion.V16)
    await status_notification.handle(
        ctx, call.StatusNotification(connector_id=0, error_code="NoError", status="Available")
    )
    event = ctx.emitted.events[0]
    assert isinstance(event, device_model_pb2.DeviceModelEvent)
    changed = event.connector_status_changed
    assert (changed.evse_id, changed.connector_id, changed.timestamp) == (0, 0, timestamp(NOW))
