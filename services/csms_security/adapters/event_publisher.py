"""The `SecurityEventPublisher` port on Kafka: appends CSMS security events to `csms.security.events.v1`
(key = station id, header `event_type`) through the long-lived idempotent producer it is given (acks=all) and
waits for every acknowledgement; Kafka failing is `EventLogUnavailable`. Network I/O only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms.security.v1 import security_pb2
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_kernel.security.events import TOPIC

_HEADERS = [("event_type", security_pb2.SecurityEventRecorded.DESCRIPTOR.full_name.encode())]


class KafkaSecurityEvents:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, records: Sequence[security_pb2.SecurityEventRecorded]) -> None:
        try:
            sent = [
                await self._producer.send(
                    TOPIC, record.SerializeToString(), key=record.event.station_id.encode(), headers=_HEADERS
                )
                for record in records
            ]
            await asyncio.gather(*sent)
        except KafkaError as exc:
            raise EventLogUnavailable(f"{TOPIC}: {exc!r}") from exc
