"""A tail of `csms.security.events.v1` for tests: every partition, read from the end as it was when the tail
started; `wait_for` / `wait_for_all` read until one / that many events of a station match. Network I/O (Kafka)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer

from csms.security.v1 import security_pb2
from csms_kernel.infra.kafka import make_consumer
from csms_kernel.security.events import TOPIC


class SecurityEventsTail:
    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self.consumer = consumer
        self.events: list[security_pb2.SecurityEvent] = []

    @classmethod
    async def start(cls, bootstrap: str) -> SecurityEventsTail:
        consumer = make_consumer(bootstrap, None, "security-events-tail", TOPIC, offset_reset="latest")
        await consumer.start()
        assigned = sorted(consumer.assignment())
        await consumer.seek_to_end(*assigned)
        for tp in assigned:
            await consumer.position(tp)  # resolved now, before the test acts
        return cls(consumer)

    async def stop(self) -> None:
        await self.consumer.stop()

    async def wait_for(
        self,
        station_id: str,
        predicate: Callable[[security_pb2.SecurityEvent], bool],
        timeout_s: float = 20.0,
    ) -> security_pb2.SecurityEvent:
        return (await self.wait_for_all(station_id, predicate, 1, timeout_s))[0]

    async def wait_for_all(
        self,
        station_id: str,
        predicate: Callable[[security_pb2.SecurityEvent], bool],
        count: int,
        timeout_s: float = 20.0,
    ) -> list[security_pb2.SecurityEvent]:
        """The first `count` events of the station that match."""
        async with asyncio.timeout(timeout_s):
            while True:
                found = [event for event in self.events if event.station_id == station_id and predicate(event)]
                if len(found) >= count:
                    return found[:count]
                for records in (await self.consumer.getmany(timeout_ms=200)).values():
                    for record in records:
                        self.events.append(security_pb2.SecurityEventRecorded.FromString(record.value or b"").event)
