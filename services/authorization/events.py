"""Token change events: the `TokenEvents` port and its Kafka adapter.

`KafkaTokenEvents` publishes `csms.authorization.v1.AuthorizationEvent` records to
`csms.authorization.events.v1`, key = the token's matching key, with the long-lived idempotent producer
(acks=all) it is given, and waits for the broker's acknowledgement.
"""

from __future__ import annotations

from typing import Protocol

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from authorization.store import StoreUnavailable
from csms import topics
from csms.authorization.v1 import authorization_pb2


class TokenEvents(Protocol):
    async def publish(self, event: authorization_pb2.AuthorizationEvent) -> None:
        """Raises StoreUnavailable when the event log does not take it."""


class KafkaTokenEvents:
    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer

    async def publish(self, event: authorization_pb2.AuthorizationEvent) -> None:
        headers = [("event_type", event.DESCRIPTOR.full_name.encode())]
        try:
            await self._producer.send_and_wait(
                topics.AUTHORIZATION_EVENTS, event.SerializeToString(), key=event.id_token_key.encode(), headers=headers
            )
        except KafkaError as exc:
            raise StoreUnavailable(f"event log: {exc!r}") from exc
