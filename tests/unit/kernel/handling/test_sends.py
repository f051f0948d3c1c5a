"""OCPP 2.1 SEND frames (messageTypeId 6) in the router and the call runner: handled by their owner's route, never
answered; a SEND that is unrouted, breaks its schema or whose handler fails is logged and dropped (fakes, no I/O)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.handling.router import CallInfo, Emitted, Route, Router
from csms_kernel.infra import topics
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.ocpp.framing import Frame, MessageType
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.envelopes import frame_envelope
from kit.fakes.answered_calls import InMemoryAnsweredCalls
from unit.kernel.handling.fakes import FakeConsumer, FakeProducer

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
ACTION = "NotifyPeriodicEventStream"
PAYLOAD = {"id": 3, "pending": 0, "basetime": "2026-01-02T03:04:05Z", "data": [{"t": 1.5, "v": "230.1"}]}


@dataclass
class Stream:
    id: int
    pending: int
    basetime: str
    data: list[dict[str, Any]]


@dataclass
class Context:
    call: CallInfo
    emitted: Emitted


async def store(ctx: Context, request: Stream) -> None:
    ctx.emitted.emit(device_model_pb2.DeviceModelEvent(station_id=ctx.call.station_id, message_id=str(request.id)))


async def broken(ctx: Context, request: Stream) -> None:
    raise ValueError("bug")


async def unavailable(ctx: Context, request: Stream) -> None:
    raise RetryableError("store down")


def router(handler: Any = store) -> Router[Context]:
    return Router({OcppVersion.V21: {ACTION: Route(Stream, handler)}}, Context)


def call(action: str = ACTION, version: OcppVersion = OcppVersion.V21) -> CallInfo:
    return CallInfo("CS1", "default", version, "m1", action, T0, "edge-1", "c1")


def send(payload: dict[str, Any], action: str = ACTION) -> Frame:
    return Frame(MessageType.SEND, "m1", action=action, payload=payload)


async def test_a_send_runs_its_handler_and_returns_its_events() -> None:
    events = await router().dispatch_send(call(), send(PAYLOAD))
    assert [(event.station_id, event.message_id) for event in events] == [("CS1", "3")]


@pytest.mark.parametrize(
    ("payload", "action", "version", "logged"),
    [
        ({**PAYLOAD, "data": []}, ACTION, OcppVersion.V21, "OccurrenceConstraintViolation"),
        ({**PAYLOAD, "id": "three"}, ACTION, OcppVersion.V21, "TypeConstraintViolation"),
        ({}, "Heartbeat", OcppVersion.V21, "NotSupported"),
        (PAYLOAD, "NoSuchMessage", OcppVersion.V21, "NotImplemented"),
    ],
)
async def test_a_bad_send_is_logged_and_dropped(
    payload: dict[str, Any], action: str, version: OcppVersion, logged: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    assert await router().dispatch_send(call(action, version), send(payload, action)) == []
    assert f"SEND {action} m1 dropped ({logged}" in caplog.text


async def test_a_failing_send_handler_is_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    assert await router(broken).dispatch_send(call(), send(PAYLOAD)) == []
    assert "SEND handler NotifyPeriodicEventStream failed" in caplog.text


async def test_a_send_whose_collaborator_is_down_is_retried() -> None:
    with pytest.raises(RetryableError):
        await router(unavailable).dispatch_send(call(), send(PAYLOAD))


def runner() -> CallRunner[Context]:
    return CallRunner(
        service="device_model",
        router=router(),
        consumer=FakeConsumer(),
        producer=FakeProducer(),
        answered=InMemoryAnsweredCalls(),
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=lambda: T0,
    )


def send_record(payload: dict[str, Any]) -> bytes:
    return frame_envelope(
        json.dumps([6, "m1", ACTION, payload]),
        envelope_pb2.MESSAGE_TYPE_SEND,
        station_id="CS1",
        action=ACTION,
        ocpp_version=envelope_pb2.OCPP_VERSION_21,
    ).SerializeToString()


async def test_the_runner_publishes_a_sends_events_and_no_reply() -> None:
    out = await runner().handle_record(send_record(PAYLOAD), "0:1")
    assert [record.topic for record in out] == [topics.DEVICE_MODEL_EVENTS]


async def test_the_runner_publishes_nothing_for_a_bad_send() -> None:
    assert await runner().handle_record(send_record({"id": 3}), "0:1") == []


def repeated(value: bytes) -> bytes:
    envelope = envelope_pb2.Envelope.FromString(value)
    envelope.repeat = True
    return envelope.SerializeToString()


async def test_a_send_handed_over_again_is_handled_once_and_the_same_record_read_again_anew() -> None:
    handling = runner()
    first = send_record(PAYLOAD)
    assert len(await handling.handle_record(first, "0:1")) == 1
    assert await handling.handle_record(repeated(first), "0:2") == []  # the edge's second hand-over
    assert len(await handling.handle_record(first, "0:1")) == 1  # its batch was aborted: read again
    other = send_record({**PAYLOAD, "pending": 1})
    assert len(await handling.handle_record(repeated(other), "0:3")) == 1  # same id, other content: handled
