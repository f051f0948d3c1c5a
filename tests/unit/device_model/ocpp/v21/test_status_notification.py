"""2.1 StatusNotification through the 2.1 routing table."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.routing import TABLES
from csms_kernel.handling.router import Router
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context


async def test_status_answered_and_recorded() -> None:
    ctx = make_context(OcppVersion.V21, action="StatusNotification")
    router = Router(TABLES, lambda call, emitted: ctx)
    payload = {"timestamp": "2026-11-21T11:00:00Z", "connectorStatus": "Faulted", "evseId": 2, "connectorId": 1}
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "StatusNotification", payload))
    assert json.loads(answer.frame) == [3, "msg-1", {}]
    changed = device_model_pb2.ConnectorStatusChanged(
        evse_id=2, connector_id=1, status="Faulted", timestamp=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC))
    )
    assert ctx.emitted.events == [expected_event(OcppVersion.V21, connector_status_changed=changed)]
