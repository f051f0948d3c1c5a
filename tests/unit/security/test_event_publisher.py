"""The Kafka publisher of CSMS security events: records keyed by station id with their event type header; a
Kafka failure is `EventLogUnavailable` (the signer then tries again), never a crash of its loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError

from csms.security.v1 import security_pb2
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_kernel.security.events import TOPIC, csms_event
from csms_security.adapters.event_publisher import KafkaSecurityEvents


class Producer:
    def __init__(self, failure: Exception | None = None) -> None:
        self.sent: list[tuple[str, bytes, bytes, Any]] = []
        self.failure = failure

    async def send(self, topic: str, value: bytes, *, key: bytes, headers: Any) -> asyncio.Future[None]:
        self.sent.append((topic, value, key, headers))
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.failure is None:
            acknowledged.set_result(None)
        else:
            acknowledged.set_exception(self.failure)
        return acknowledged


async def test_records_go_to_the_security_topic_keyed_by_station() -> None:
    producer = Producer()
    record = csms_event("certificate_issued", "CS-1", "issued")
    await KafkaSecurityEvents(producer).publish([record])  # type: ignore[arg-type]
    [(topic, value, key, headers)] = producer.sent
    assert (topic, key) == (TOPIC, b"CS-1")
    assert security_pb2.SecurityEventRecorded.FromString(value) == record
    assert headers == [("event_type", b"csms.security.v1.SecurityEventRecorded")]


async def test_a_kafka_failure_is_event_log_unavailable() -> None:
    publisher = KafkaSecurityEvents(Producer(KafkaTimeoutError()))  # type: ignore[arg-type]
    with pytest.raises(EventLogUnavailable):
        await publisher.publish([csms_event("certificate_issued", "CS-1", "issued")])
