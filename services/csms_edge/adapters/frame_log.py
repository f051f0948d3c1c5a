"""The Kafka adapter of the frame log port (`FrameLog`, csms_edge.ports): every frame to `ocpp.frames.v1`, and
each station CALL then to its owner's call topic (`ocpp.calls.<owner>.v1`, owner from `ocpp.ownership`).

An append returns only once Kafka acknowledged the record (acks=all, idempotent producer) and, for a station
CALL, then its copy on the owner's call topic: callers treat a returned append as durable and routed; a failed
one raises (the frame stays unanswered; the station sends it again). The call topic is written only after the
frame log has the frame, so a service never answers a CALL the log lacks. Key = station id; value =
serialized Envelope; routing fields mirrored in headers. The adapter stamps `produced_at`. It does not own the
producer's lifecycle (bootstrap does).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import Headers, envelope_headers
from csms_kernel.ocpp.framing import MessageType
from csms_kernel.ocpp.ownership import owner_of


class RecordSender(Protocol):
    """A producer (`edge.kafka_producer.AsyncProducer`): `send` enqueues in call order and returns the
    record's acknowledgement."""

    def send(self, topic: str, value: bytes, key: bytes, headers: Headers) -> asyncio.Future[None]: ...


def owner_topic(envelope: envelope_pb2.Envelope, calls_topic: Callable[[str], str] = topics.calls) -> str | None:
    """The call topic of a station CALL's owner; None for every other frame."""
    if (
        envelope.kind == envelope_pb2.KIND_FRAME
        and envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
        and envelope.message_type == MessageType.CALL.value
    ):
        return calls_topic(owner_of(envelope.action))
    return None


class KafkaFrameLog:
    def __init__(
        self,
        producer: RecordSender,
        topic: str = topics.FRAMES,
        clock_ns: Callable[[], int] = time.time_ns,
        calls_topic: Callable[[str], str] = topics.calls,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._calls_topic = calls_topic
        self._clock_ns = clock_ns

    async def append(self, envelope: envelope_pb2.Envelope) -> None:
        await self.append_many([envelope])

    async def append_many(self, envelopes: Sequence[envelope_pb2.Envelope]) -> None:
        # Enqueue in order first (one batch per partition), then wait for all acknowledgements; only then
        # hand the CALLs to their owners.
        for envelope in envelopes:
            produced_at = envelope.produced_at
            produced_at.seconds, produced_at.nanos = divmod(self._clock_ns(), 1_000_000_000)
        records = [(envelope, envelope.SerializeToString(), envelope_headers(envelope)) for envelope in envelopes]
        await _acknowledged([self._send(self._topic, *record) for record in records])
        routed = [
            (topic, *record) for record in records if (topic := owner_topic(record[0], self._calls_topic)) is not None
        ]
        if routed:
            await _acknowledged([self._send(*record) for record in routed])

    def _send(
        self, topic: str, envelope: envelope_pb2.Envelope, value: bytes, headers: Headers
    ) -> asyncio.Future[None]:
        return self._producer.send(topic, value, envelope.station_id.encode(), headers)


async def _acknowledged(acks: list[asyncio.Future[None]]) -> None:
    results = await asyncio.gather(*acks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
