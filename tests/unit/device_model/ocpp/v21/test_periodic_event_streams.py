"""2.1 periodic event streams through the 2.1 routing table: OpenPeriodicEventStream and ClosePeriodicEventStream
answered and recorded; NotifyPeriodicEventStream SENDs recorded with basetime + offsets decoded, never answered,
and bad ones dropped."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.routing import TABLES
from csms_kernel.handling.router import Router
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context

BASE = datetime(2026, 11, 21, 11, tzinfo=UTC)


async def test_an_opened_stream_is_accepted_and_recorded() -> None:
    ctx = make_context(OcppVersion.V21, action="OpenPeriodicEventStream")
    router = Router(TABLES, lambda call, emitted: ctx)
    payload = {"constantStreamData": {"id": 7, "variableMonitoringId": 12, "params": {"interval": 60, "values": 10}}}
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "OpenPeriodicEventStream", payload))
    assert json.loads(answer.frame) == [3, "msg-1", {"status": "Accepted"}]
    opened = device_model_pb2.PeriodicStreamOpened(stream_id=7, variable_monitoring_id=12, interval_s=60, values=10)
    assert ctx.emitted.events == [expected_event(OcppVersion.V21, periodic_stream_opened=opened)]


async def test_a_stream_opened_without_params_has_zero_interval_and_values() -> None:
    ctx = make_context(OcppVersion.V21, action="OpenPeriodicEventStream")
    router = Router(TABLES, lambda call, emitted: ctx)
    payload = {"constantStreamData": {"id": 7, "variableMonitoringId": 12, "params": {}}}
    await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "OpenPeriodicEventStream", payload))
    opened = device_model_pb2.PeriodicStreamOpened(stream_id=7, variable_monitoring_id=12)
    assert ctx.emitted.events == [expected_event(OcppVersion.V21, periodic_stream_opened=opened)]


async def test_a_closed_stream_is_answered_and_recorded() -> None:
    ctx = make_context(OcppVersion.V21, action="ClosePeriodicEventStream")
    router = Router(TABLES, lambda call, emitted: ctx)
    answer = await router.dispatch(ctx.call, Frame(MessageType.CALL, "msg-1", "ClosePeriodicEventStream", {"id": 7}))
    assert json.loads(answer.frame) == [3, "msg-1", {}]
    closed = device_model_pb2.PeriodicStreamClosed(stream_id=7)
    assert ctx.emitted.events == [expected_event(OcppVersion.V21, periodic_stream_closed=closed)]


async def test_stream_values_are_recorded_at_basetime_plus_their_offsets() -> None:
    ctx = make_context(OcppVersion.V21, action="NotifyPeriodicEventStream")
    router = Router(TABLES, lambda call, emitted: ctx)
    payload = {
        "id": 7,
        "pending": 2,
        "basetime": "2026-11-21T11:00:00Z",
        "data": [{"t": 0, "v": "230.1"}, {"t": 1.5, "v": "229.8"}, {"t": 60, "v": "231"}],
    }
    frame = Frame(MessageType.SEND, "msg-1", "NotifyPeriodicEventStream", payload)
    await router.dispatch_send(ctx.call, frame)
    received = device_model_pb2.PeriodicStreamDataReceived(stream_id=7, pending=2, basetime=timestamp(BASE))
    for offset, value in ((0.0, "230.1"), (1.5, "229.8"), (60.0, "231")):
        received.values.add(sampled_at=timestamp(BASE + timedelta(seconds=offset)), value=value)
    assert ctx.emitted.events == [expected_event(OcppVersion.V21, periodic_stream_data_received=received)]


@pytest.mark.parametrize(
    "payload",
    [
        {"id": 7, "pending": 0, "basetime": "2026-11-21T11:00:00Z", "data": [{"t": 1e300, "v": "1"}]},
        {"id": 7, "pending": 0, "basetime": "not a time", "data": [{"t": 1, "v": "1"}]},
        {"id": 7, "pending": 0, "basetime": "2026-11-21T11:00:00Z", "data": [{"t": 1}]},
        {"id": -1, "pending": 0, "basetime": "2026-11-21T11:00:00Z", "data": [{"t": 1, "v": "1"}]},
    ],
    ids=["offset out of range", "bad basetime", "value missing", "negative id"],
)
async def test_a_bad_stream_send_is_dropped(payload: dict[str, Any]) -> None:
    ctx = make_context(OcppVersion.V21, action="NotifyPeriodicEventStream")
    router = Router(TABLES, lambda call, emitted: ctx)
    events = await router.dispatch_send(
        ctx.call, Frame(MessageType.SEND, "msg-1", "NotifyPeriodicEventStream", payload)
    )
    assert events == []
    assert ctx.emitted.events == []
