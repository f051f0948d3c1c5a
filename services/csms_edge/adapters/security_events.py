"""The edge's CSMS security events on `csms.security.events.v1` (key = station id; docs/adr/0024, 0025),
through the node's Kafka producer.

`publish` never waits: the record goes to librdkafka's queue (which retries it until delivered or timed out: at
least once, the event id deduplicates) unless `max_outstanding` events are still unacknowledged, or the queue is
full, or the producer stopped; then the event is only in the `csms.security` log (`csms_event` wrote it there)
and counted in `dropped`. `LoggedSecurityEvents` is the sink of a node without Kafka (tests).
Network I/O through the producer.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from typing import Protocol

from confluent_kafka import KafkaException

from csms.security.v1 import security_pb2
from csms_edge.adapters.kafka_producer import ProducerStopped
from csms_kernel.security.events import TOPIC

log = logging.getLogger(__name__)


class Sender(Protocol):
    """`AsyncProducer.send` (a fake in tests)."""

    def send(
        self, topic: str, value: bytes, key: bytes, headers: Sequence[tuple[str, bytes]]
    ) -> asyncio.Future[None]: ...


class KafkaSecurityEvents:
    def __init__(self, producer: Sender, *, max_outstanding: int = 1_000) -> None:
        self._producer = producer
        self._max_outstanding = max_outstanding
        self.outstanding = 0
        self.dropped = 0

    def publish(self, event: security_pb2.SecurityEventRecorded) -> None:
        if self.outstanding >= self._max_outstanding:
            self._drop(event, "too many security events outstanding")
            return
        try:
            future = self._producer.send(TOPIC, event.SerializeToString(), event.event.station_id.encode(), [])
        except (BufferError, ProducerStopped, KafkaException) as exc:
            self._drop(event, str(exc) or type(exc).__name__)
            return
        self.outstanding += 1
        future.add_done_callback(lambda done: self._settled(done, event.event.event_id))

    def _settled(self, future: asyncio.Future[None], event_id: str) -> None:
        self.outstanding -= 1
        if not future.cancelled() and future.exception() is not None:
            self.dropped += 1
            log.error("security event %s not published: %s", event_id, future.exception())

    def _drop(self, event: security_pb2.SecurityEventRecorded, why: str) -> None:
        self.dropped += 1
        log.warning("security event %s (%s) not published: %s", event.event.event_id, event.event.type, why)


class LoggedSecurityEvents:
    """Keeps the last `keep` events in memory (`published`) besides the log line `csms_event` wrote; no Kafka."""

    def __init__(self, keep: int = 1_000) -> None:
        self.published: deque[security_pb2.SecurityEventRecorded] = deque(maxlen=keep)

    def publish(self, event: security_pb2.SecurityEventRecorded) -> None:
        self.published.append(event)
