from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.v201 import status_notification
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context

VERSION = OcppVersion.V201


async def test_records_the_evse_connector_status() -> None:
    ctx = make_context(VERSION)
    request = call.StatusNotification(
        timestamp="2026-11-21T11:00:00Z", connector_status="Occupied", evse_id=1, connector_id=2
    )
    assert await status_notification.handle(ctx, request) == call_result.StatusNotification()
    changed = device_model_pb2.ConnectorStatusChanged(
        evse_id=1, connector_id=2, status="Occupied", timestamp=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC))
    )
    assert ctx.emitted.events == [expected_event(VERSION, connector_status_changed=changed)]
