"""Runs any projection: consume its topics, decode, write the read model, run its policies, commit positions.

At-least-once: positions are committed only after the writes (and policies) succeeded, and projections are
idempotent. A record that is not its topic's event type is parked in the dead-letter topic with the reason
at once. Transient store or broker errors are retried until they pass, after a capped exponential backoff
with jitter (the process reports NOT_SERVING after three failures in a row, `csms_kernel.infra.health`). A
batch that keeps failing for another reason is applied record by record, and a record that keeps failing
alone is parked with the reason, never skipped silently. A systematic error (schema drift, a bug every record
meets) would park the whole stream, so after `max_parked_in_a_row` records parked with no record applied in
between the projection halts instead: it retries the failing record (backoff up to a minute), commits
nothing, logs CRITICAL and reports NOT_SERVING until the record passes (docs/adr/0030-reliability-findings.md).
Each batch is applied in a span linked to the traces of its records (their `traceparent` headers).
Network I/O: Kafka (consumer, dead-letter producer), the writer, the state step and the policies.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Generic, TypeAlias

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError
from opentelemetry.trace import SpanKind

from csms_kernel.infra import topics
from csms_kernel.infra.backoff import Backoff
from csms_kernel.infra.cassandra import TRANSIENT_ERRORS, CassandraSession
from csms_kernel.infra.health import READINESS, Readiness
from csms_kernel.infra.kafka import make_consumer
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.projecting.projection import (
    CurrentState,
    E,
    Policy,
    Projection,
    S,
    UndecodableRecordError,
    decode,
)
from csms_kernel.projecting.writes import CassandraWriter, Writer
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

Record: TypeAlias = ConsumerRecord[bytes, bytes]

FAILURES_BEFORE_NOT_SERVING = 3

RETRYABLE: tuple[type[BaseException], ...] = (RetryableError, KafkaError, OSError, TimeoutError, *TRANSIENT_ERRORS)


async def apply_events(
    projection: Projection[E, S],
    events: Sequence[E],
    writer: Writer,
    state: CurrentState[E, S],
    policies: Sequence[Policy[E, S]] = (),
) -> None:
    """One batch: read the state it needs, write, tell the state step, then run the policies."""
    current = await state.read(events)
    await writer.apply(projection.writes(events, current))
    state.applied(events, current)
    for policy in policies:
        await policy.after_writes(events, current)


class ProjectionRunner(Generic[E, S]):
    def __init__(
        self,
        *,
        projection: Projection[E, S],
        consumer: AIOKafkaConsumer,
        writer: Writer,
        state: CurrentState[E, S],
        dead_letter: AIOKafkaProducer,
        policies: Sequence[Policy[E, S]] = (),
        attempts_before_parking: int = 3,
        max_parked_in_a_row: int = 3,
        backoff: Backoff | None = None,
        halted_backoff: Backoff | None = None,
        readiness: Readiness = READINESS,
    ) -> None:
        self._projection = projection
        self._name = projection.name
        self._consumer = consumer
        self._writer = writer
        self._state = state
        self._policies = policies
        self._dead_letter = dead_letter
        self._attempts = attempts_before_parking
        self._max_parked_in_a_row = max_parked_in_a_row
        self._parked_in_a_row = 0
        self._backoff = backoff or Backoff(initial_s=0.5, maximum_s=30.0)
        self._halted_backoff = halted_backoff or Backoff(initial_s=1.0, maximum_s=60.0)
        self._readiness = readiness
        self._lag = metrics.ConsumerLag(consumer, projection.name)
        self._batch_seconds = metrics.PROJECTION_BATCH.labels(projection.name)

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
                await self._apply_or_park(await self._decoded(records))
            self._batch_seconds.observe(time.perf_counter() - started)
            await self._commit({tp: tp_records[-1].offset + 1 for tp, tp_records in batch.items()})

    async def _decoded(self, records: Sequence[Record]) -> list[tuple[Record, E]]:
        """The records' events; the undecodable records are parked."""
        decoded = []
        for record in records:
            try:
                decoded.append((record, decode(self._projection, record)))
            except UndecodableRecordError as exc:
                await self._park(record, exc)
        return decoded

    async def _apply(self, decoded: Sequence[tuple[Record, E]]) -> None:
        events = [event for _, event in decoded]
        await apply_events(self._projection, events, self._writer, self._state, self._policies)
        self._applied()

    def _applied(self) -> None:
        self._parked_in_a_row = 0
        if self._halted_backoff.attempts:
            log.warning("%s: the record it halted on passed; the projection goes on", self._name)
            metrics.PROJECTION_HALTED.labels(self._name).set(0)
            self._halted_backoff.reset()
        self._recovered()

    def _recovered(self) -> None:
        if self._backoff.attempts:
            self._backoff.reset()
        self._readiness.ok(self._name)

    async def _transient(self, exc: BaseException) -> None:
        delay = self._backoff.next()
        log.warning("%s: transient failure (%r); retrying in %.1f s", self._name, exc, delay)
        if self._backoff.attempts >= FAILURES_BEFORE_NOT_SERVING:
            self._readiness.failing(self._name, f"{self._backoff.attempts} attempts failed, last: {exc!r}"[:300])
        await asyncio.sleep(delay)

    async def _apply_or_park(self, decoded: Sequence[tuple[Record, E]]) -> None:
        failures = 0
        while True:
            try:
                await self._apply(decoded)
                return
            except RETRYABLE as exc:
                await self._transient(exc)
                continue
            except Exception:
                failures += 1
                log.exception("%s: batch of %d failed (%d/%d)", self._name, len(decoded), failures, self._attempts)
                if failures >= self._attempts:
                    break
            await asyncio.sleep(self._backoff.next())
        self._backoff.reset()
        for one in decoded:
            await self._apply_one_or_park(one)

    async def _apply_one_or_park(self, one: tuple[Record, E]) -> None:
        failures = 0
        while True:
            try:
                await self._apply([one])
                return
            except RETRYABLE as exc:
                await self._transient(exc)
                continue
            except Exception as exc:
                failures += 1
                if failures >= self._attempts:
                    if self._parked_in_a_row < self._max_parked_in_a_row:
                        self._backoff.reset()
                        await self._park(one[0], exc)
                        self._parked_in_a_row += 1
                        return
                    await self._halted(one[0], exc)
                    continue
            await asyncio.sleep(self._backoff.next())

    async def _halted(self, record: Record, exc: Exception) -> None:
        """Stays on `record`: the error is systematic, parking would drain the stream."""
        delay = self._halted_backoff.next()
        reason = (
            f"halted at {record.topic}[{record.partition}]@{record.offset} after {self._parked_in_a_row} records "
            f"parked in a row: {type(exc).__name__}: {exc}"
        )[:500]
        if self._halted_backoff.attempts == 1:
            log.critical("%s: %s; nothing is parked or committed until it passes", self._name, reason)
        self._readiness.failing(self._name, reason)
        metrics.PROJECTION_HALTED.labels(self._name).set(1)
        await asyncio.sleep(delay)

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
                self._recovered()
                return
            except (CommitFailedError, IllegalStateError) as exc:
                # The partitions moved to another instance, which re-applies these records (idempotently); a
                # partition revoked while the batch was applied is refused locally (IllegalStateError "not assigned")
                # and would be refused forever.
                log.info("%s: commit after rebalance refused (%s)", self._name, exc)
                return
            except KafkaError as exc:
                await self._transient(exc)


def kafka_projection_consumer(settings: CommonSettings, group: str, client_id: str, *topics: str) -> AIOKafkaConsumer:
    """A projection's consumer (started and stopped by the caller): gathered fetches, read committed."""
    return make_consumer(
        settings.kafka_bootstrap,
        group,
        client_id,
        *topics,
        gather_ms=settings.projection_gather_ms,
        security=settings.kafka_security,
    )


def kafka_projection_runner(
    settings: CommonSettings,
    instance: str,
    projection: Projection[E, S],
    *,
    session: CassandraSession,
    state: CurrentState[E, S],
    dead_letter: AIOKafkaProducer,
    policies: Sequence[Policy[E, S]] = (),
) -> tuple[ProjectionRunner[E, S], AIOKafkaConsumer]:
    """A service's runner of `projection` with its consumer (client id `<instance>.<projection name>`, started and
    stopped by the caller), writing into the projection's keyspace through `session`."""
    consumer = kafka_projection_consumer(settings, projection.name, f"{instance}.{projection.name}", *projection.topics)
    runner = ProjectionRunner(
        projection=projection,
        consumer=consumer,
        writer=CassandraWriter(session, projection.keyspace),
        state=state,
        dead_letter=dead_letter,
        policies=policies,
    )
    return runner, consumer
