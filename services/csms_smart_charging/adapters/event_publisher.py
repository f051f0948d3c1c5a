"""The `SmartChargingEventPublisher` port on Kafka: appends events to csms.smart_charging.events.v1 (key =
station id, header `event_type`) through the long-lived idempotent producer it is given (acks=all) and waits for
every acknowledgement; Kafka failing is `EventLogUnavailable`. Network I/O only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.outbox.relay import EventLogUnavailable
from csms_smart_charging.domain.events import TOPIC

_HEADERS = [("event_type", smart_charging_pb2.SmartChargingEvent.DESCRIPTOR.full_name.encode())]


class KafkaSmartChargingEvents:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, events: Sequence[smart_charging_pb2.SmartChargingEvent]) -> None:
        try:
            sent = [
                await self._producer.send(
                    TOPIC, event.SerializeToString(), key=event.station_id.encode(), headers=_HEADERS
                )
                for event in events
            ]
            await asyncio.gather(*sent)
        except KafkaError as exc:
            raise EventLogUnavailable(f"{TOPIC}: {exc!r}") from exc
