"""Token change events on Kafka: the Kafka adapter of the `EventLog` port (csms_authorization.ports)
the outbox relay publishes through.

`KafkaEventLog` appends `csms.authorization.v1.AuthorizationEvent` records to `csms.authorization.events.v1`,
key = the token's matching key, with the long-lived idempotent producer (acks=all) it is given, so records of
one token keep their order, and waits for the broker's acknowledgement of every record (network I/O).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms.authorization.v1 import authorization_pb2
from csms_authorization.ports import EventLogUnavailable, PendingEvent
from csms_kernel.infra import topics

_HEADERS = [("event_type", authorization_pb2.AuthorizationEvent.DESCRIPTOR.full_name.encode())]


class KafkaEventLog:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, events: Sequence[PendingEvent]) -> None:
        # All sent before any is awaited: the idempotent producer keeps their order per partition.
        sent: list[asyncio.Future[object]] = []
        failed: BaseException | None = None
        try:
            for e in events:
                sent.append(
                    await self._producer.send(
                        topics.AUTHORIZATION_EVENTS, e.event, key=e.token_key.encode(), headers=_HEADERS
                    )
                )
        except KafkaError as exc:
            failed = exc
        acknowledged = await asyncio.gather(*sent, return_exceptions=True)
        failed = failed or next((r for r in acknowledged if isinstance(r, BaseException)), None)
        if failed is not None:
            raise EventLogUnavailable(f"event log: {failed!r}") from failed
