"""The edge's security events on Kafka: never waited for, bounded (docs/adr/0025)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from csms.security.v1 import security_pb2
from csms_edge.adapters.kafka_producer import ProducerStopped
from csms_edge.adapters.security_events import KafkaSecurityEvents
from csms_kernel.security.events import TOPIC, csms_event


class FakeSender:
    """Records what was sent; each record's delivery future is settled by the test."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes, bytes, asyncio.Future[None]]] = []
        self.stopped = False

    def send(self, topic: str, value: bytes, key: bytes, headers: Sequence[tuple[str, bytes]]) -> asyncio.Future[None]:
        if self.stopped:
            raise ProducerStopped("producer stopped")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.sent.append((topic, value, key, future))
        return future


def event(station_id: str = "CS-1") -> security_pb2.SecurityEventRecorded:
    return csms_event("handshake_refused", station_id, "invalid station credentials", edge_node_id="edge-1")


async def test_an_event_goes_to_the_topic_keyed_by_station() -> None:
    sender = FakeSender()
    events = KafkaSecurityEvents(sender)
    recorded = event("CS-9")
    events.publish(recorded)
    ((topic, value, key, delivered),) = sender.sent
    assert (topic, key, security_pb2.SecurityEventRecorded.FromString(value)) == (TOPIC, b"CS-9", recorded)
    assert events.outstanding == 1
    delivered.set_result(None)
    await asyncio.sleep(0)
    assert (events.outstanding, events.dropped) == (0, 0)


async def test_beyond_the_outstanding_bound_events_are_only_logged() -> None:
    sender = FakeSender()
    events = KafkaSecurityEvents(sender, max_outstanding=2)
    for _ in range(5):
        events.publish(event())
    assert (len(sender.sent), events.dropped) == (2, 3)
    for _, _, _, delivered in sender.sent:
        delivered.set_exception(RuntimeError("timed out"))
    await asyncio.sleep(0)
    assert (events.outstanding, events.dropped) == (0, 5)
    events.publish(event())
    assert len(sender.sent) == 3


async def test_a_stopped_producer_does_not_fail_the_handshake() -> None:
    sender = FakeSender()
    sender.stopped = True
    events = KafkaSecurityEvents(sender)
    events.publish(event())
    assert events.dropped == 1
