"""NotifyDisplayMessages cases shared by the 2.0.1 and 2.1 tests (`v201|v21/test_notify_display_messages.py`, which
give the `version`), through the version's routing table: each reported MessageInfo as a neutral DisplayMessage in
DisplayMessagesReported (one event per part)."""

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


async def dispatch(version: OcppVersion, payload: dict[str, object]) -> tuple[object, list[object]]:
    ctx = make_context(version, action="NotifyDisplayMessages")
    router = Router(TABLES, lambda call, emitted: ctx)
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "NotifyDisplayMessages", payload))
    return json.loads(answer.frame), ctx.emitted.events


async def test_each_reported_message_in_neutral_form(version: OcppVersion) -> None:
    payload = {
        "requestId": 42,
        "tbc": True,
        "messageInfo": [
            {
                "id": 1,
                "priority": "AlwaysFront",
                "state": "Idle",
                "startDateTime": "2026-11-21T10:00:00Z",
                "endDateTime": "2026-11-22T10:00:00+01:00",
                "transactionId": "tx-9",
                "message": {"format": "UTF8", "language": "de", "content": "Willkommen"},
                "display": {"name": "Display", "instance": "front", "evse": {"id": 1, "connectorId": 2}},
            },
            {"id": 2, "priority": "NormalCycle", "message": {"format": "URI", "content": "https://example.com"}},
        ],
    }
    frame, events = await dispatch(version, payload)
    assert frame == [3, "msg-1", {}]
    first = device_model_pb2.DisplayMessage(
        id=1,
        priority="always_front",
        state="idle",
        start_at=timestamp(datetime(2026, 11, 21, 10, tzinfo=UTC)),
        end_at=timestamp(datetime(2026, 11, 22, 9, tzinfo=UTC)),
        transaction_id="tx-9",
        format="utf8",
        language="de",
        content="Willkommen",
        display_name="Display",
        display_instance="front",
        display_evse_id=1,
        display_connector_id=2,
    )
    second = device_model_pb2.DisplayMessage(id=2, priority="normal_cycle", format="uri", content="https://example.com")
    reported = device_model_pb2.DisplayMessagesReported(request_id=42, tbc=True, messages=[first, second])
    assert events == [expected_event(version, display_messages_reported=reported)]


async def test_the_last_part_without_messages(version: OcppVersion) -> None:
    frame, events = await dispatch(version, {"requestId": 42})
    assert frame == [3, "msg-1", {}]
    reported = device_model_pb2.DisplayMessagesReported(request_id=42, tbc=False)
    assert events == [expected_event(version, display_messages_reported=reported)]


async def test_a_bad_date_time_is_a_callerror_without_events(version: OcppVersion) -> None:
    payload = {
        "requestId": 1,
        "messageInfo": [
            {"id": 1, "priority": "InFront", "startDateTime": "soon", "message": {"format": "ASCII", "content": "x"}}
        ],
    }
    frame, events = await dispatch(version, payload)
    assert frame[0] == 4 and events == []
