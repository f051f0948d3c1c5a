"""The Kafka adapter of the frame log port (`FrameLog`, csms_edge.ports): every frame to `ocpp.frames.v1`, and
each station CALL (and 2.1 SEND) then to its owner's call topic (`ocpp.calls.<owner>.v1`, owner from `ocpp.ownership`).

An append returns once Kafka acknowledged the frame-log record (acks=all, idempotent producer): callers treat
a returned append as durable; a failed one raises (the frame stays unanswered; the station sends it again).
Only then is a station CALL handed to its owner's call topic, so a service never answers a CALL the log
lacks; the append does not wait for that acknowledgement (the connection reads its next frame meanwhile,
ADR 0017). A CALL whose connection was replaced or closed before its append was acknowledged is not handed over:
the station sends it again on its new connection. A hand-over that fails may still have reached the topic (a
timed-out write has an unknown outcome): it is handed over again, marked as a repeat, after a capped doubling
delay, while `still_connected` says the station's connection is the one it came on (a SEND, which no station sends
again, until it is handed over), so the owner handles it once (a repeat is looked up among the answers of that
connection; ADR 0017 addenda).
Key = station id; value = serialized Envelope; routing fields mirrored in headers. The adapter stamps
`produced_at`. It does not own the producer's lifecycle (bootstrap does). While appends fail (Kafka unreachable,
librdkafka's queue full) the node reports NOT_SERVING (`csms_kernel.infra.health`), until one passes again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Protocol

from csms.envelope.v1 import envelope_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.health import READINESS, Readiness
from csms_kernel.infra.kafka import Headers, envelope_headers
from csms_kernel.ocpp.framing import MessageType
from csms_kernel.ocpp.ownership import owner_of

log = logging.getLogger(__name__)

READINESS_COMPONENT = "edge frame log"

_Record = tuple[envelope_pb2.Envelope, bytes, Headers]  # envelope, serialized value, headers


class RecordSender(Protocol):
    """A producer (`edge.kafka_producer.AsyncProducer`): `send` enqueues in call order and returns the
    record's acknowledgement."""

    def send(self, topic: str, value: bytes, key: bytes, headers: Headers) -> asyncio.Future[None]: ...

    def send_reporting_failure(
        self, topic: str, value: bytes, key: bytes, headers: Headers, on_failure: Callable[[], None]
    ) -> None: ...


# Station CALLs, and OCPP 2.1 SENDs (handled by their owner, never answered).
_ROUTED = frozenset({MessageType.CALL.value, MessageType.SEND.value})


def owner_topic(envelope: envelope_pb2.Envelope, calls_topic: Callable[[str], str] = topics.calls) -> str | None:
    """The call topic of a station CALL's (or SEND's) owner; None for every other frame, and for a CALL the edge
    refused itself (its `reason` says why: docs/adr/0031)."""
    if (
        envelope.kind == envelope_pb2.KIND_FRAME
        and envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
        and envelope.message_type in _ROUTED
        and not envelope.reason
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
        still_connected: Callable[[envelope_pb2.Envelope], bool] = lambda envelope: True,
        call_producer: RecordSender | None = None,
        readiness: Readiness = READINESS,
        hand_over_retry_s: float = 1.0,
        hand_over_retry_max_s: float = 10.0,
    ) -> None:
        """`call_producer` hands CALLs over (default: `producer`); give it one that reports failures only."""
        self._producer = producer
        self._call_producer = call_producer or producer
        self._topic = topic
        self._calls_topic = calls_topic
        self._clock_ns = clock_ns
        self._still_connected = still_connected
        self._retry_s = hand_over_retry_s
        self._retry_max_s = hand_over_retry_max_s
        self._readiness = readiness
        self._failing = False

    async def append(self, envelope: envelope_pb2.Envelope) -> None:
        record = self._record(envelope)
        try:
            await self._send(record)  # one future awaited directly: the hot path, no gather
        except Exception as exc:
            self._failed(exc)
            raise
        self._passed()
        self._hand_over(record)

    async def append_many(self, envelopes: Sequence[envelope_pb2.Envelope]) -> None:
        # Enqueue in order first (one batch per partition), then wait for all acknowledgements; only then
        # hand the CALLs to their owners.
        records = [self._record(envelope) for envelope in envelopes]
        try:
            await _acknowledged([self._send(record) for record in records])
        except Exception as exc:
            self._failed(exc)
            raise
        self._passed()
        for record in records:
            self._hand_over(record)

    def _failed(self, exc: Exception) -> None:
        self._failing = True
        self._readiness.failing(READINESS_COMPONENT, f"appends fail: {exc!r}"[:300])

    def _passed(self) -> None:
        if self._failing:
            self._failing = False
            self._readiness.ok(READINESS_COMPONENT)

    def _record(self, envelope: envelope_pb2.Envelope) -> _Record:
        produced_at = envelope.produced_at
        produced_at.seconds, produced_at.nanos = divmod(self._clock_ns(), 1_000_000_000)
        return envelope, envelope.SerializeToString(), envelope_headers(envelope)

    def _send(self, record: _Record) -> asyncio.Future[None]:
        envelope, value, headers = record
        return self._producer.send(self._topic, value, envelope.station_id.encode(), headers)

    def _hand_over(self, record: _Record, attempt: int = 0) -> None:
        """Hands a station CALL (or SEND) to its owner's call topic, without waiting; other frames stay in the log.
        A CALL whose connection is no longer its station's current one stays in the log only: its answer could not
        reach the station, which sends the CALL again on its new connection, and that copy is no repeat of this one
        (the new connection inherited no unanswered CALL), so handing both over would have the CALL handled twice.
        A SEND is handed over whatever became of its connection: a station never sends it again."""
        envelope, value, headers = record
        topic = owner_topic(envelope, self._calls_topic)
        if topic is None:
            return
        if self._resent_elsewhere(envelope):
            log.info(
                "station %s: CALL %s logged after its connection %s was replaced or closed; not handed over",
                envelope.station_id,
                envelope.message_id,
                envelope.connection_id,
            )
            return
        try:
            self._call_producer.send_reporting_failure(
                topic, value, envelope.station_id.encode(), headers, lambda: self._unrouted(envelope, attempt)
            )
        except Exception:
            self._unrouted(envelope, attempt)

    def _resent_elsewhere(self, envelope: envelope_pb2.Envelope) -> bool:
        """A CALL whose connection is gone: the station sends it again on its next connection."""
        return envelope.message_type == envelope_pb2.MESSAGE_TYPE_CALL and not self._still_connected(envelope)

    def _unrouted(self, envelope: envelope_pb2.Envelope, attempt: int) -> None:
        if self._resent_elsewhere(envelope):
            log.error(
                "station %s: CALL %s not handed to its service and its connection is gone (the station sends it again)",
                envelope.station_id,
                envelope.message_id,
            )
            return
        delay = min(self._retry_max_s, self._retry_s * 2**attempt)
        log.warning(
            "station %s: %s %s not handed to its service; handed over again in %.1f s",
            envelope.station_id,
            envelope_pb2.MessageType.Name(envelope.message_type).removeprefix("MESSAGE_TYPE_"),
            envelope.message_id,
            delay,
        )
        asyncio.get_running_loop().call_later(delay, self._hand_over_again, envelope, attempt + 1)

    def _hand_over_again(self, envelope: envelope_pb2.Envelope, attempt: int) -> None:
        repeat = envelope_pb2.Envelope()
        repeat.CopyFrom(envelope)
        repeat.repeat = True
        self._hand_over(self._record(repeat), attempt)


async def _acknowledged(acks: list[asyncio.Future[None]]) -> None:
    results = await asyncio.gather(*acks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
