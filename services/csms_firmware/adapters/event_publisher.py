"""The `FirmwareEventPublisher` port on Kafka: appends firmware events to csms.firmware.events.v1 (key = station
id, header `event_type`) through the long-lived idempotent producer it is given (acks=all) and waits for every
acknowledgement; Kafka failing is `EventLogUnavailable`. Network I/O only."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import TOPIC
from csms_kernel.outbox.relay import EventLogUnavailable

_HEADERS = [("event_type", firmware_pb2.FirmwareEvent.DESCRIPTOR.full_name.encode())]


class KafkaFirmwareEvents:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, events: Sequence[firmware_pb2.FirmwareEvent]) -> None:
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
