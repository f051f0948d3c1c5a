"""The service's events on Kafka: the Kafka adapter of the `EventLog` port (csms_authorization.ports) the outbox
relays publish through.

`KafkaEventLog` appends the serialized events to one topic, key = the event's key, with an `event_type` header
(`csms.authorization.v1.AuthorizationEvent` on `csms.authorization.events.v1` keyed by the token's matching
key; `StationCredentialsChanged` on `csms.authorization.station_credentials.v1` keyed by station id), through
the long-lived idempotent producer (acks=all) it is given, so records of one key keep their order, and waits
for the broker's acknowledgement of every record (network I/O).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from google.protobuf.message import Message

from csms.authorization.v1 import authorization_pb2
from csms_authorization.ports import EventLogUnavailable, PendingEvent
from csms_kernel.infra import topics


class KafkaEventLog:
    def __init__(
        self,
        producer: AIOKafkaProducer,
        topic: str = topics.AUTHORIZATION_EVENTS,
        event_type: type[Message] = authorization_pb2.AuthorizationEvent,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._headers = [("event_type", event_type.DESCRIPTOR.full_name.encode())]

    async def publish(self, events: Sequence[PendingEvent]) -> None:
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
            raise EventLogUnavailable(f"event log: {failed!r}") from failed
