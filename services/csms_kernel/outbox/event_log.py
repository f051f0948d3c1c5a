"""Outbox events on Kafka: the Kafka adapter of `relay.EventLog`.

`KafkaEventLog` appends each event's bytes to one topic under the event's key, with an `event_type` header
naming its protobuf message, through the long-lived idempotent producer (acks=all) it is given, so the records of
one key keep their order; it waits for the broker's acknowledgement of every record (network I/O).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms_kernel.outbox.relay import EventLogUnavailable, OutboxEvent


class KafkaEventLog:
    def __init__(self, producer: AIOKafkaProducer, topic: str, event_type: str) -> None:
        self._producer = producer
        self._topic = topic
        self._headers = [("event_type", event_type.encode())]

    async def publish(self, events: Sequence[OutboxEvent]) -> None:
        # All sent before any is awaited: the idempotent producer keeps their order per partition.
        sent: list[asyncio.Future[object]] = []
        failed: BaseException | None = None
        try:
            for e in events:
                sent.append(await self._producer.send(self._topic, e.event, key=e.key.encode(), headers=self._headers))
        except KafkaError as exc:
            failed = exc
        acknowledged = await asyncio.gather(*sent, return_exceptions=True)
        failed = failed or next((r for r in acknowledged if isinstance(r, BaseException)), None)
        if failed is not None:
            raise EventLogUnavailable(f"event log {self._topic}: {failed!r}") from failed
