"""Runs a projection: consume its topics, apply each batch to the read model, then commit the positions.

At-least-once: positions are committed only after the writes succeeded, and projections are idempotent.
Transient store or broker errors are retried until they pass; a record that keeps failing for another reason
is parked in the dead-letter topic with the reason, never skipped silently.
Each batch is applied in a span linked to the traces of its records (their `traceparent` headers).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, KafkaError
from opentelemetry.trace import SpanKind

from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import TRANSIENT_ERRORS
from csms_kernel.infra.kafka import make_consumer
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[bytes, bytes]
Apply = Callable[[Sequence[Record]], Awaitable[None]]

RETRYABLE: tuple[type[BaseException], ...] = (RetryableError, KafkaError, OSError, TimeoutError, *TRANSIENT_ERRORS)


class ProjectionRunner:
    def __init__(
        self,
        *,
        name: str,
        consumer: AIOKafkaConsumer,
        apply: Apply,
        dead_letter: AIOKafkaProducer,
        attempts_before_parking: int = 3,
        retry_backoff_s: float = 0.5,
    ) -> None:
        self._name = name
        self._consumer = consumer
        self._apply = apply
        self._dead_letter = dead_letter
        self._attempts = attempts_before_parking
        self._backoff = retry_backoff_s
        self._lag = metrics.ConsumerLag(consumer, name)
        self._batch_seconds = metrics.PROJECTION_BATCH.labels(name)

    async def run(self) -> None:
        """Runs until cancelled; consumer and producer are started and stopped by the caller."""
        while True:
            batch = await self._consumer.getmany(timeout_ms=200, max_records=1000)
            await self._lag.update()
            if not batch:
                continue
            records = [record for tp_records in batch.values() for record in tp_records]
            started = time.perf_counter()
            traces = (tracing.header_value(record.headers) for record in records)
            with tracing.span(f"apply {self._name}", SpanKind.CONSUMER, linked=traces):
                await self._apply_or_park(records)
            self._batch_seconds.observe(time.perf_counter() - started)
            await self._commit({tp: tp_records[-1].offset + 1 for tp, tp_records in batch.items()})

    async def _apply_or_park(self, records: Sequence[Record]) -> None:
        failures = 0
        while True:
            try:
                await self._apply(records)
                return
            except RETRYABLE as exc:
                log.warning("%s: transient failure (%r); retrying", self._name, exc)
            except Exception:
                failures += 1
                log.exception("%s: batch of %d failed (%d/%d)", self._name, len(records), failures, self._attempts)
                if failures >= self._attempts:
                    break
            await asyncio.sleep(self._backoff)
        for record in records:
            await self._apply_one_or_park(record)

    async def _apply_one_or_park(self, record: Record) -> None:
        failures = 0
        while True:
            try:
                await self._apply([record])
                return
            except RETRYABLE as exc:
                log.warning("%s: transient failure (%r); retrying", self._name, exc)
            except Exception as exc:
                failures += 1
                if failures >= self._attempts:
                    await self._park(record, exc)
                    return
            await asyncio.sleep(self._backoff)

    async def _park(self, record: Record, exc: Exception) -> None:
        reason = f"{self._name}: {type(exc).__name__}: {exc}"[:1000]
        log.error(
            "parking %s[%d]@%d in %s: %s", record.topic, record.partition, record.offset, topics.DEAD_LETTER, reason
        )
        headers = [
            ("source_topic", record.topic.encode()),
            ("source_partition", str(record.partition).encode()),
            ("source_offset", str(record.offset).encode()),
            ("reason", reason.encode()),
        ]
        await self._dead_letter.send_and_wait(topics.DEAD_LETTER, record.value, key=record.key, headers=headers)

    async def _commit(self, offsets: dict[TopicPartition, int]) -> None:
        while True:
            try:
                await self._consumer.commit(offsets)
                return
            except CommitFailedError as exc:
                # The partitions moved to another instance, which re-applies these records (idempotently).
                log.info("%s: commit after rebalance refused (%s)", self._name, exc)
                return
            except KafkaError as exc:
                log.warning("%s: commit failed (%r); retrying", self._name, exc)
                await asyncio.sleep(self._backoff)


def kafka_projection_consumer(settings: CommonSettings, group: str, client_id: str, *topics: str) -> AIOKafkaConsumer:
    """A projection's consumer (started and stopped by the caller): gathered fetches, read committed."""
    return make_consumer(settings.kafka_bootstrap, group, client_id, *topics, gather_ms=settings.projection_gather_ms)
