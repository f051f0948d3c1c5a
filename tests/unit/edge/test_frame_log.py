"""The Kafka frame log adapter against a fake record sender: what it sends, and that it waits for the acks."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.frame_log import KafkaFrameLog, owner_topic
from csms_edge.adapters.kafka_producer import AsyncProducer
from csms_kernel.infra.health import Readiness
from csms_kernel.infra.kafka import Headers, envelope_headers, librdkafka_producer_config
from kit.fakes.edge import T0_NS, TRACEPARENT, FixedClock, heartbeat_call

Sent = tuple[str, bytes, bytes, Headers]


async def settle() -> None:
    """Lets the append run until it waits on an acknowledgement again."""
    for _ in range(5):
        await asyncio.sleep(0)


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.acks: list[asyncio.Future[None]] = []
        self.failures: list[Callable[[], None]] = []

    def send(self, topic: str, value: bytes, key: bytes, headers: Headers) -> asyncio.Future[None]:
        self.sent.append((topic, value, key, headers))
        self.acks.append(asyncio.get_running_loop().create_future())
        return self.acks[-1]

    def send_reporting_failure(
        self, topic: str, value: bytes, key: bytes, headers: Headers, on_failure: Callable[[], None]
    ) -> None:
        self.sent.append((topic, value, key, headers))
        self.failures.append(on_failure)

    def ack_all(self) -> None:
        for ack in self.acks:
            if not ack.done():
                ack.set_result(None)


async def test_a_call_goes_to_the_log_and_only_once_acknowledged_there_to_its_owners_call_topic() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock(T0_NS + 123))
    envelope = heartbeat_call()
    appending = asyncio.create_task(log.append(envelope))
    await asyncio.sleep(0)
    logged = ("frames", envelope.SerializeToString(), b"CS-1", envelope_headers(envelope))
    assert sender.sent == [logged]
    assert not appending.done()
    sender.ack_all()
    await appending  # durable in the log: the connection goes on without waiting for the hand-over
    assert sender.sent == [logged, ("ocpp.calls.device_model.v1", *logged[1:])]
    assert envelope.produced_at.ToNanoseconds() == T0_NS + 123


@pytest.mark.parametrize(
    ("action", "owner"),
    [("Authorize", "authorization"), ("TransactionEvent", "transactions"), ("DataTransfer", "device_model")],
)
def test_a_call_is_routed_to_the_topic_of_the_service_that_owns_its_action(action: str, owner: str) -> None:
    envelope = heartbeat_call()
    envelope.action = action
    assert owner_topic(envelope) == f"ocpp.calls.{owner}.v1"


def test_a_2_1_send_is_routed_to_its_owner_like_a_call() -> None:
    envelope = heartbeat_call()
    envelope.message_type = envelope_pb2.MESSAGE_TYPE_SEND
    envelope.action = "NotifyPeriodicEventStream"
    assert owner_topic(envelope) == "ocpp.calls.device_model.v1"


def test_only_station_calls_are_routed() -> None:
    answer = heartbeat_call()
    answer.message_type = envelope_pb2.MESSAGE_TYPE_CALL_RESULT
    outbound = heartbeat_call()
    outbound.direction = envelope_pb2.DIRECTION_CSMS_TO_STATION
    connected = envelope_pb2.Envelope(station_id="CS-1", kind=envelope_pb2.KIND_CONNECTED)
    assert [owner_topic(envelope) for envelope in (answer, outbound, connected)] == [None] * 3


async def test_append_many_sends_in_order_before_waiting_and_routes_the_calls_after_every_ack() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock())
    envelopes = [heartbeat_call(message_id=f"m{i}") for i in range(3)]
    connected = envelope_pb2.Envelope(station_id="CS-1", kind=envelope_pb2.KIND_CONNECTED)
    appending = asyncio.create_task(log.append_many([*envelopes, connected]))
    await asyncio.sleep(0)
    assert [envelope_pb2.Envelope.FromString(value).message_id for _, value, _, _ in sender.sent] == [
        "m0",
        "m1",
        "m2",
        "",
    ]
    sender.acks[0].set_result(None)
    await settle()
    assert len(sender.sent) == 4  # nothing routed while a log record is unacknowledged
    sender.ack_all()
    await appending
    assert [topic for topic, *_ in sender.sent[4:]] == ["ocpp.calls.device_model.v1"] * 3


async def test_a_failed_ack_fails_the_append_and_routes_nothing() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock())
    appending = asyncio.create_task(log.append_many([heartbeat_call(message_id="m0"), heartbeat_call(message_id="m1")]))
    await asyncio.sleep(0)
    sender.acks[0].set_result(None)
    sender.acks[1].set_exception(ConnectionError("not acknowledged"))
    with pytest.raises(ConnectionError):
        await appending
    assert {topic for topic, *_ in sender.sent} == {"frames"}


async def test_the_node_reports_not_serving_while_appends_fail() -> None:
    sender = FakeSender()
    readiness = Readiness()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock(), readiness=readiness)
    failing = asyncio.create_task(log.append(heartbeat_call()))
    await asyncio.sleep(0)
    sender.acks[0].set_exception(ConnectionError("all brokers down"))
    with pytest.raises(ConnectionError):
        await failing
    assert readiness.failing_components == {"edge frame log": "appends fail: ConnectionError('all brokers down')"}
    passing = asyncio.create_task(log.append(heartbeat_call()))
    await asyncio.sleep(0)
    sender.ack_all()
    await passing
    assert readiness.serving


async def test_a_failed_hand_over_is_handed_over_again_as_a_repeat_while_the_connection_lasts() -> None:
    """A timed-out hand-over may have reached the topic after all: the copy is marked as a repeat, so the owner
    answers the CALL once (ADR 0017 addendum)."""
    sender = FakeSender()
    connected = {"m0", "m1"}
    log = KafkaFrameLog(
        sender,
        "frames",
        clock_ns=FixedClock(),
        still_connected=lambda envelope: envelope.message_id in connected,
        hand_over_retry_s=0.01,
        hand_over_retry_max_s=0.02,
    )
    appending = asyncio.create_task(log.append_many([heartbeat_call(message_id="m0"), heartbeat_call(message_id="m1")]))
    await asyncio.sleep(0)
    sender.ack_all()
    await appending
    assert len(sender.failures) == 2  # a delivered hand-over reports nothing
    sender.failures[1]()
    assert len(sender.sent) == 4  # nothing again before the delay
    await asyncio.sleep(0.015)
    topic, value, key, _ = sender.sent[-1]
    again = envelope_pb2.Envelope.FromString(value)
    assert (topic, key, again.message_id, again.repeat) == ("ocpp.calls.device_model.v1", b"CS-1", "m1", True)
    sender.failures[-1]()  # fails again: the next delay is capped
    await asyncio.sleep(0.025)
    assert len(sender.sent) == 6
    connected.discard("m1")
    sender.failures[-1]()
    await asyncio.sleep(0.03)
    assert len(sender.sent) == 6  # the station's connection is gone: it sends the CALL again itself


async def test_a_hand_over_refused_at_once_is_handed_over_again_later() -> None:
    class RefusingOnce(FakeSender):
        refused = False

        def send_reporting_failure(
            self, topic: str, value: bytes, key: bytes, headers: Headers, on_failure: Callable[[], None]
        ) -> None:
            if not self.refused:
                self.refused = True
                raise BufferError("queue full")
            super().send_reporting_failure(topic, value, key, headers, on_failure)

    sender, call_sender = FakeSender(), RefusingOnce()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock(), call_producer=call_sender, hand_over_retry_s=0.01)
    appending = asyncio.create_task(log.append(heartbeat_call()))
    await asyncio.sleep(0)
    sender.ack_all()
    await appending
    assert call_sender.sent == []
    await asyncio.sleep(0.02)
    assert [envelope_pb2.Envelope.FromString(value).repeat for _, value, _, _ in call_sender.sent] == [True]


async def test_calls_are_handed_over_through_the_call_producer_when_one_is_given() -> None:
    sender, call_sender = FakeSender(), FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock(), call_producer=call_sender)
    appending = asyncio.create_task(log.append(heartbeat_call()))
    await asyncio.sleep(0)
    sender.ack_all()
    await appending
    assert [topic for topic, *_ in sender.sent] == ["frames"]
    assert [topic for topic, *_ in call_sender.sent] == ["ocpp.calls.device_model.v1"]


def test_headers_mirror_the_routing_fields_by_name() -> None:
    assert envelope_headers(heartbeat_call()) == [
        ("station_id", b"CS-1"),
        ("tenant", b"acme"),
        ("ocpp_version", b"OCPP_VERSION_201"),
        ("direction", b"DIRECTION_STATION_TO_CSMS"),
        ("kind", b"KIND_FRAME"),
        ("message_type", b"MESSAGE_TYPE_CALL"),
        ("action", b"Heartbeat"),
        ("traceparent", TRACEPARENT.encode()),
    ]
    untraced = envelope_pb2.Envelope(station_id="CS-2", kind=envelope_pb2.KIND_CONNECTED)
    assert dict(envelope_headers(untraced)) == {
        "station_id": b"CS-2",
        "tenant": b"",
        "ocpp_version": b"OCPP_VERSION_UNSPECIFIED",
        "direction": b"DIRECTION_UNSPECIFIED",
        "kind": b"KIND_CONNECTED",
        "message_type": b"MESSAGE_TYPE_UNSPECIFIED",
        "action": b"",
    }


@pytest.mark.parametrize(
    ("field", "enum"),
    [
        ("ocpp_version", envelope_pb2.OcppVersion),
        ("direction", envelope_pb2.Direction),
        ("kind", envelope_pb2.Kind),
        ("message_type", envelope_pb2.MessageType),
    ],
)
def test_every_enum_value_has_its_header_name(field: str, enum: Any) -> None:
    for name, number in enum.items():
        headers = dict(envelope_headers(envelope_pb2.Envelope(**{field: number})))
        assert headers[field] == name.encode()


async def test_a_full_librdkafka_queue_refuses_the_append_at_once() -> None:
    """Security review #16: librdkafka's queue is capped; a full queue fails the append (the frame is dropped
    unanswered, the station sends it again) instead of growing while the broker is away."""
    config = {**librdkafka_producer_config("127.0.0.1:1", "edge-test"), "queue.buffering.max.messages": 1}
    assert librdkafka_producer_config("127.0.0.1:1", "edge-test")["queue.buffering.max.kbytes"] == 64 * 1024
    producer = AsyncProducer(config)
    readiness = Readiness()
    log = KafkaFrameLog(producer, "frames", clock_ns=FixedClock(), readiness=readiness)
    waiting = asyncio.create_task(log.append(heartbeat_call(message_id="m0")))  # no broker: stays queued
    await asyncio.sleep(0)
    with pytest.raises(BufferError):
        await log.append(heartbeat_call(message_id="m1"))
    assert not readiness.serving
    await producer.stop(timeout_s=0)
    with pytest.raises(Exception, match="Purged"):
        await waiting


async def test_a_call_whose_connection_is_gone_once_logged_is_not_handed_over_but_a_send_is() -> None:
    """The station sends the CALL again on its new connection, where it is no repeat of this copy: handing this
    one over too would have the CALL handled twice. A SEND is never sent again, so it is handed over."""
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock(), still_connected=lambda envelope: False)
    send = heartbeat_call(message_id="s1")
    send.message_type = envelope_pb2.MESSAGE_TYPE_SEND
    appending = asyncio.create_task(log.append_many([heartbeat_call(message_id="c1"), send]))
    await asyncio.sleep(0)
    sender.ack_all()
    await appending
    handed = [(topic, envelope_pb2.Envelope.FromString(value).message_id) for topic, value, *_ in sender.sent]
    assert handed == [("frames", "c1"), ("frames", "s1"), ("ocpp.calls.device_model.v1", "s1")]


async def test_a_send_whose_hand_over_failed_is_handed_over_again_after_its_connection_is_gone() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(
        sender, "frames", clock_ns=FixedClock(), still_connected=lambda envelope: False, hand_over_retry_s=0.01
    )
    send = heartbeat_call(message_id="s1")
    send.message_type = envelope_pb2.MESSAGE_TYPE_SEND
    appending = asyncio.create_task(log.append(send))
    await asyncio.sleep(0)
    sender.ack_all()
    await appending
    sender.failures[0]()
    await asyncio.sleep(0.02)
    again = envelope_pb2.Envelope.FromString(sender.sent[-1][1])
    assert (sender.sent[-1][0], again.message_id, again.repeat) == ("ocpp.calls.device_model.v1", "s1", True)
