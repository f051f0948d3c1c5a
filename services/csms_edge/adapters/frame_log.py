"""The Kafka adapter of the frame log port (`FrameLog`, csms_edge.ports) writing to `ocpp.frames.v1`.

An append returns only once Kafka acknowledged the record (acks=all, idempotent producer): callers treat
a returned append as durable; a failed one raises. Key = station id; value = serialized Envelope; routing
fields mirrored in headers. The adapter stamps `produced_at`. It does not own the producer's lifecycle
(bootstrap does).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import Headers, envelope_headers


class RecordSender(Protocol):
    """A producer (`edge.kafka_producer.AsyncProducer`): `send` enqueues in call order and returns the
    record's acknowledgement."""

    def send(self, topic: str, value: bytes, key: bytes, headers: Headers) -> asyncio.Future[None]: ...


class KafkaFrameLog:
    def __init__(
        self,
        producer: RecordSender,
        topic: str = topics.FRAMES,
        clock_ns: Callable[[], int] = time.time_ns,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._clock_ns = clock_ns

    async def append(self, envelope: envelope_pb2.Envelope) -> None:
        await self._send(envelope)

    async def append_many(self, envelopes: Sequence[envelope_pb2.Envelope]) -> None:
        # Enqueue in order first (one batch per partition), then wait for all acknowledgements.
        acks = [self._send(envelope) for envelope in envelopes]
        results = await asyncio.gather(*acks, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result

    def _send(self, envelope: envelope_pb2.Envelope) -> asyncio.Future[None]:
        produced_at = envelope.produced_at
        produced_at.seconds, produced_at.nanos = divmod(self._clock_ns(), 1_000_000_000)
        return self._producer.send(
            self._topic, envelope.SerializeToString(), envelope.station_id.encode(), envelope_headers(envelope)
        )
