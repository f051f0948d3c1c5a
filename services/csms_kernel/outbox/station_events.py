"""Domain events on Kafka, keyed by station: the Kafka adapter of the services' event publisher ports (security
events, firmware events, smart-charging events). Each event is appended to one topic under its station id, with an
`event_type` header naming its protobuf message, through the long-lived idempotent producer it is given (acks=all),
and every acknowledgement is awaited; Kafka failing is `EventLogUnavailable`. Network I/O only."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from google.protobuf.message import Message

from csms_kernel.outbox.relay import EventLogUnavailable

M = TypeVar("M", bound=Message)


def _station_id(event: Any) -> str:
    return str(event.station_id)


class KafkaStationEvents(Generic[M]):
    def __init__(
        self,
        producer: AIOKafkaProducer,
        topic: str,
        message: type[M],
        station_id: Callable[[M], str] = _station_id,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._headers = [("event_type", message.DESCRIPTOR.full_name.encode())]
        self._station_id = station_id

    async def publish(self, events: Sequence[M]) -> None:
        try:
            sent = [
                await self._producer.send(
                    self._topic, event.SerializeToString(), key=self._station_id(event).encode(), headers=self._headers
                )
                for event in events
            ]
            await asyncio.gather(*sent)
        except KafkaError as exc:
            raise EventLogUnavailable(f"{self._topic}: {exc!r}") from exc
