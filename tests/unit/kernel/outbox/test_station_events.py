"""The Kafka publisher of station-keyed domain events (security, firmware, smart-charging): records keyed by station
id with their event type header; a Kafka failure is `EventLogUnavailable` (the caller then tries again), never a
crash of its loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka.errors import KafkaTimeoutError

from csms.firmware.v1 import firmware_pb2
from csms.security.v1 import security_pb2
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_kernel.outbox.station_events import KafkaStationEvents
from csms_kernel.security.events import TOPIC, csms_event


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


def security_events(producer: Producer) -> KafkaStationEvents[security_pb2.SecurityEventRecorded]:
    return KafkaStationEvents(
        producer,  # type: ignore[arg-type]
        TOPIC,
        security_pb2.SecurityEventRecorded,
        lambda record: record.event.station_id,
    )


async def test_events_keyed_by_their_station_id_field() -> None:
    producer = Producer()
    event = firmware_pb2.FirmwareEvent(event_id="e-1", station_id="CS-2")
    await KafkaStationEvents(producer, "csms.firmware.events.v1", firmware_pb2.FirmwareEvent).publish([event])  # type: ignore[arg-type]
    assert [(topic, key, headers) for topic, _, key, headers in producer.sent] == [
        ("csms.firmware.events.v1", b"CS-2", [("event_type", b"csms.firmware.v1.FirmwareEvent")])
    ]


async def test_records_go_to_the_security_topic_keyed_by_station() -> None:
    producer = Producer()
    record = csms_event("certificate_issued", "CS-1", "issued")
    await security_events(producer).publish([record])
    [(topic, value, key, headers)] = producer.sent
    assert (topic, key) == (TOPIC, b"CS-1")
    assert security_pb2.SecurityEventRecorded.FromString(value) == record
    assert headers == [("event_type", b"csms.security.v1.SecurityEventRecorded")]


async def test_a_kafka_failure_is_event_log_unavailable() -> None:
    publisher = security_events(Producer(KafkaTimeoutError()))
    with pytest.raises(EventLogUnavailable):
        await publisher.publish([csms_event("certificate_issued", "CS-1", "issued")])
