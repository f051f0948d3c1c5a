"""The Kafka frame log adapter against a fake record sender: what it sends, and that it waits for the acks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.frame_log import KafkaFrameLog
from csms_kernel.infra.kafka import Headers, envelope_headers
from kit.fakes.edge import T0_NS, TRACEPARENT, FixedClock, heartbeat_call

Sent = tuple[str, bytes, bytes, Headers]


class FakeSender:
    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.acks: list[asyncio.Future[None]] = []

    def send(self, topic: str, value: bytes, key: bytes, headers: Headers) -> asyncio.Future[None]:
        self.sent.append((topic, value, key, headers))
        self.acks.append(asyncio.get_running_loop().create_future())
        return self.acks[-1]

    def ack_all(self) -> None:
        for ack in self.acks:
            if not ack.done():
                ack.set_result(None)


async def test_append_sends_the_stamped_envelope_keyed_by_station_with_headers_and_waits_for_the_ack() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock(T0_NS + 123))
    envelope = heartbeat_call()
    appending = asyncio.create_task(log.append(envelope))
    await asyncio.sleep(0)
    assert not appending.done()
    sender.ack_all()
    await appending
    assert envelope.produced_at.ToNanoseconds() == T0_NS + 123
    assert sender.sent == [("frames", envelope.SerializeToString(), b"CS-1", envelope_headers(envelope))]


async def test_append_many_sends_in_order_before_waiting() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock())
    envelopes = [heartbeat_call(message_id=f"m{i}") for i in range(3)]
    appending = asyncio.create_task(log.append_many(envelopes))
    await asyncio.sleep(0)
    assert [envelope_pb2.Envelope.FromString(value).message_id for _, value, _, _ in sender.sent] == ["m0", "m1", "m2"]
    assert not appending.done()
    sender.ack_all()
    await appending


async def test_a_failed_ack_fails_the_append() -> None:
    sender = FakeSender()
    log = KafkaFrameLog(sender, "frames", clock_ns=FixedClock())
    appending = asyncio.create_task(log.append_many([heartbeat_call(message_id="m0"), heartbeat_call(message_id="m1")]))
    await asyncio.sleep(0)
    sender.acks[0].set_result(None)
    sender.acks[1].set_exception(ConnectionError("not acknowledged"))
    with pytest.raises(ConnectionError):
        await appending


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
