"""Consumes a service's call topic and answers the station CALLs the service owns, exactly once.

Side effects: reads `ocpp.calls.<service>.v1` (the CALLs the edge routed to this service after logging them in
`ocpp.frames.v1`) in the consumer group `<service>.handlers`; for each batch, writes the
reply records (to each edge node's delivery topic), the handlers' domain events and the consumer offsets in
ONE Kafka transaction, sent with the group generation the batch was read in: after a rebalance the broker
refuses a zombie's commit (KIP-447, docs/adr/0013-kip447-fencing.md) and the batch is left to the new owner.
A crash before the commit aborts it all, so the batch is handled again and, handlers being deterministic on
redelivery, answered identically. A batch that fails for a transient reason (broker, store, a peer service
down) is handled again after a capped exponential backoff with jitter (0.5 s doubling to 30 s); after three
failures in a row the process reports NOT_SERVING (`csms_kernel.infra.health`) until a batch passes.
A batch with nothing to publish gets no transaction of its own: its offsets go with the next one, at the
latest after `carry_s`. One transaction at a time; the runner owns its
transactional producer (`kafka_transactions.TransactionalProducer`) and stops it when it ends.
A CALL repeated on the same connection (a station's retry, a frame appended twice) gets the first answer
and no events: from this process's `RecentAnswers`, or, for a CALL the edge marked as a repeat, from
`AnsweredCalls`, where each answer of a route that remembers its answers is stored before the commit. The first
CALL on a connection (edge mark `first_call`) that has the message id and frame of the station's latest stored answer,
given on another connection, is that CALL sent again after its connection ended unanswered: it gets that answer too.
An OCPP 2.1 SEND the service owns is handled like a CALL but gets no reply: only its events are published; a copy
the edge handed over again (`repeat`) is dropped if this process handled the SEND.
Each CALL is handled in an `ocpp.handle` span continuing the edge's trace (the envelope's traceparent); the
reply and the events carry that span's context, and each published reply gets a span until the commit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from aiokafka import TopicPartition
from confluent_kafka import KafkaException
from google.protobuf.message import Message
from opentelemetry.trace import SpanKind

from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.answered_calls import AnsweredCall, AnsweredCalls, CallKey, RecentAnswers, frame_digest
from csms_kernel.handling.router import Answer, CallInfo, Router
from csms_kernel.infra import topics
from csms_kernel.infra.backoff import Backoff
from csms_kernel.infra.cassandra import TRANSIENT_ERRORS
from csms_kernel.infra.envelopes import decode, reply_to, to_datetime, version_from_proto
from csms_kernel.infra.health import READINESS, Readiness
from csms_kernel.infra.kafka import (
    Headers,
    envelope_headers,
    librdkafka_consumer_config,
    librdkafka_transactional_config,
)
from csms_kernel.infra.kafka_transactions import (
    AsyncConsumer,
    Batch,
    Consumer,
    Generation,
    GroupFenced,
    OutRecord,
    Producer,
    ProducerFenced,
    Record,
    TransactionalProducer,
    TransactionFailed,
)
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.ocpp.framing import Frame, MessageType, parse_frame
from csms_kernel.ocpp.ownership import owner_of
from csms_kernel.telemetry import metrics, tracing

log = logging.getLogger(__name__)

C = TypeVar("C")

DEFAULT_TRANSACTION_INTERVAL_S = 0.008
FAILURES_BEFORE_NOT_SERVING = 3

# Failures after which the same batch is handled and published again.
_RETRIED: tuple[type[Exception], ...] = (
    TransactionFailed,
    RetryableError,
    KafkaException,
    OSError,
    TimeoutError,
    *TRANSIENT_ERRORS,
)

_KIND_FRAME = envelope_pb2.Kind.Name(envelope_pb2.KIND_FRAME).encode()
_ROUTED_MESSAGE_TYPES = frozenset(
    envelope_pb2.MessageType.Name(message_type).encode()
    for message_type in (envelope_pb2.MESSAGE_TYPE_CALL, envelope_pb2.MESSAGE_TYPE_SEND)
)
_ROUTED_TYPES = frozenset({MessageType.CALL.value, MessageType.SEND.value})


class CallRunner(Generic[C]):
    def __init__(
        self,
        *,
        service: str,
        router: Router[C],
        consumer: Consumer,
        producer: Producer,
        answered: AnsweredCalls,
        events_topic: str,
        clock: Callable[[], datetime],
        backoff: Backoff | None = None,
        readiness: Readiness = READINESS,
        carry_s: float = 1.0,
        transaction_interval_s: float = DEFAULT_TRANSACTION_INTERVAL_S,
        max_records: int = 500,
        gather_limit: int = 5000,
    ) -> None:
        self._service = service
        self._router = router
        self._consumer = consumer
        self._producer = producer
        self._answered = answered
        self._recent = RecentAnswers()
        self._recent_sends = RecentAnswers()
        self._events_topic = events_topic
        self._clock = clock
        self._backoff = backoff or Backoff(initial_s=0.5, maximum_s=30.0)
        self._readiness = readiness
        self._max_records = max_records
        self._gather_limit = gather_limit
        self._known_topics: set[str] = set()
        self._lag = metrics.ConsumerLag(consumer, self.group_id)
        self._generation = consumer.generation()
        # Offsets of batches with nothing to publish ride on the next transaction, or go alone after carry_s
        # (a transaction per batch cost more CPU than the handling: docs/adr/0008-performance.md).
        self._carry_s = carry_s
        self._carried: dict[TopicPartition, int] = {}
        self._carried_since: float | None = None
        # Transactions start at most this often; a batch waits for the rest of the interval, taking what arrives
        # meanwhile: under load one transaction carries several CALLs (each cost the broker ~8 requests).
        self._transaction_interval_s = transaction_interval_s
        self._last_transaction = -transaction_interval_s

    @property
    def group_id(self) -> str:
        return f"{self._service}.handlers"

    async def run(self) -> None:
        """Runs until cancelled. The consumer must be started by the caller; the producer is started here (it
        aborts what this instance's predecessor left open: until then the group's offsets are not readable)
        and stopped when the runner ends."""
        try:
            await self._start_producer()
            while True:
                batch = await self._poll(timeout_s=0.2)
                await self._lag.update()
                if batch:
                    batch = await self._gather_more(batch)
                if not batch:
                    continue
                try:
                    await self._handle_batch(batch, self._generation)
                    self._succeeded()
                except GroupFenced as exc:
                    log.warning("%s: batch refused (%s); it is left to the new owner", self._service, exc)
                    self._forget_carried()
                except ProducerFenced:
                    raise
                except _RETRIED as exc:
                    await self._retry_later("batch failed", exc)
                    await self._read_again(set(batch) | set(self._carried))
        finally:
            await self._producer.stop()

    async def _read_again(self, partitions: set[TopicPartition]) -> None:
        """After a failed batch, its partitions are read again from the group's committed offsets, once the
        producer works again (a new one settles a commit whose outcome was unknown): what a transaction that did
        commit after all published is then never published twice."""
        self._forget_carried()
        while True:
            try:
                await self._producer.start()
                await self._consumer.rewind(partitions)
                return
            except ProducerFenced:
                raise
            except _RETRIED as exc:
                await self._retry_later("reading the failed batch again", exc)

    async def _start_producer(self) -> None:
        while True:
            try:
                await self._producer.start()
                self._succeeded()
                return
            except _RETRIED as exc:
                await self._retry_later("transactional producer not started", exc)

    async def _retry_later(self, what: str, exc: BaseException) -> None:
        """Waits the next capped, jittered backoff; after `FAILURES_BEFORE_NOT_SERVING` failures in a row the
        process reports NOT_SERVING until a batch passes again."""
        delay = self._backoff.next()
        log.warning("%s: %s (%r); retrying in %.1f s", self._service, what, exc, delay)
        if self._backoff.attempts >= FAILURES_BEFORE_NOT_SERVING:
            self._readiness.failing(self.group_id, f"{self._backoff.attempts} attempts failed, last: {exc!r}"[:300])
        await asyncio.sleep(delay)

    def _succeeded(self) -> None:
        self._backoff.reset()
        self._readiness.ok(self.group_id)

    async def _poll(self, timeout_s: float) -> Batch:
        """The next records. A rebalance (served inside the poll) drops the carried offsets: every partition
        is read again from its committed offset."""
        batch = await self._consumer.poll(self._max_records, timeout_s)
        generation = self._consumer.generation()
        if generation != self._generation:
            self._generation = generation
            self._forget_carried()
        return batch

    def _forget_carried(self) -> None:
        self._carried, self._carried_since = {}, None

    async def _gather_more(self, batch: Batch) -> Batch:
        """`batch` with what arrived until the transaction interval since the last transaction is over (the
        consumer keeps fetching meanwhile), up to `gather_limit` records. After a rebalance, only the records
        read since: those read before are read again from the committed offsets."""
        wait = self._last_transaction + self._transaction_interval_s - time.monotonic()
        if wait <= 0:
            return batch
        await asyncio.sleep(wait)
        held = sum(map(len, batch.values()))
        while held < self._gather_limit:
            generation = self._generation
            more = await self._poll(timeout_s=0)
            if self._generation != generation:
                log.info("%s: rebalanced while gathering a batch; its older records are read again", self._service)
                batch, held = {}, 0
            if not more:
                break
            for tp, records in more.items():
                batch.setdefault(tp, []).extend(records)
                held += len(records)
        return batch

    async def _handle_batch(self, batch: Batch, generation: Generation) -> None:
        by_station: dict[bytes, list[Record]] = defaultdict(list)
        for records in batch.values():
            for record in records:
                if self._may_own(record):
                    by_station[record.key or b""].append(record)
        handled: list[OutRecord] = []
        if by_station:
            results = await asyncio.gather(*(self._handle_station(records) for records in by_station.values()))
            handled = [out for station_out in results for out in station_out]
        if self._consumer.generation() != generation:
            # Publishing now would answer twice: the new owner handles these records from the committed offsets.
            raise GroupFenced("partitions revoked while handling the batch")
        offsets = {**self._carried, **{tp: records[-1].offset + 1 for tp, records in batch.items()}}
        now = time.monotonic()
        if not handled and (self._carried_since is None or now - self._carried_since < self._carry_s):
            self._carried = offsets
            self._carried_since = self._carried_since or now
            return
        self._last_transaction = now
        outs = await self._deliverable(handled)
        with (
            tracing.publish_spans((out.topic, tracing.header_value(out.headers)) for out in outs),
            metrics.HANDLER_TRANSACTION.labels(self._service).time(),
        ):
            await self._producer.commit(outs, offsets, generation)
        self._forget_carried()

    async def _deliverable(self, outs: list[OutRecord]) -> list[OutRecord]:
        """Drops replies addressed to an edge node whose delivery topic does not exist (the node is gone, its
        stations reconnect elsewhere and retry); sending to a missing topic would block every station."""
        wanted = {out.topic for out in outs}
        if not wanted <= self._known_topics:
            self._known_topics = await self._producer.topics()
        missing = wanted - self._known_topics
        for topic in missing:
            log.warning("no topic %s: replies to that edge node dropped", topic)
        return [out for out in outs if out.topic not in missing]

    async def _handle_station(self, records: Sequence[Record]) -> list[OutRecord]:
        out: list[OutRecord] = []
        for record in records:
            out += await self.handle_record(record.value, f"{record.partition}:{record.offset}")
        return out

    async def handle_record(self, value: bytes | None, source: str) -> list[OutRecord]:
        """The records to publish for one frame-log record (none when this service does not own it);
        `source` identifies the record ("partition:offset")."""
        envelope = decode(value)
        if envelope is None:
            return [self._dead_letter(value or b"", "undecodable envelope")]
        if not self._is_owned_call(envelope):
            return []
        version = version_from_proto(envelope.ocpp_version)
        frame = parse_frame(envelope.frame.decode("utf-8", errors="replace"), version)
        if not isinstance(frame, Frame):
            return []
        call = CallInfo(
            station_id=envelope.station_id,
            tenant=envelope.tenant,
            ocpp_version=version,
            message_id=envelope.message_id,
            action=envelope.action,
            received_at=to_datetime(envelope.received_at),
            edge_node_id=envelope.edge_node_id,
            connection_id=envelope.connection_id,
        )
        with tracing.ocpp_span(
            tracing.HANDLE,
            SpanKind.CONSUMER,
            call.station_id,
            call.action,
            call.message_id,
            version.subprotocol,
            parent=envelope.traceparent,
        ):
            key = envelope.station_id.encode()
            if frame.message_type is MessageType.SEND:
                if self._sent_before(call, envelope.frame, source, repeat=envelope.repeat):
                    return []
                events = await self._router.dispatch_send(call, frame)
                traceparent = tracing.current_traceparent() or envelope.traceparent
                return [self._event_record(key, event, traceparent) for event in events]
            answer = await self._answer(call, frame, envelope, source)
            reply = reply_to(envelope, answer.frame, answer.is_error, self._clock())
            reply.traceparent = tracing.current_traceparent() or reply.traceparent
            out = [
                OutRecord(
                    topics.delivery(envelope.edge_node_id),
                    key,
                    reply.SerializeToString(),
                    envelope_headers(reply),
                )
            ]
            out += [self._event_record(key, event, reply.traceparent) for event in answer.events]
            return out

    async def _answer(self, call: CallInfo, frame: Frame, envelope: envelope_pb2.Envelope, source: str) -> Answer:
        """The first answer again for a repeated CALL; otherwise the router's, stored before it is published.
        The same record handled again (its batch was aborted) is handled anew: its events were never committed.
        Only a CALL the edge marks is looked up in `AnsweredCalls` (one read per CALL cost more than the
        handling: docs/adr/0008-performance.md); a copy the edge did not mark is recognised by the process that
        answered the first. A CALL repeating one left unanswered on the station's previous connection
        (`repeat_of_connection_id`) is looked up under that connection; a connection's `first_call` is compared with
        the station's latest answer (docs/adr/0017 addenda); an answer found so is kept under both connections."""
        key = (call.station_id, call.connection_id, call.message_id)
        digest = frame_digest(envelope.frame)
        previous = self._recent.get(key)
        if previous is None and envelope.repeat:
            previous = await self._answered.get(*key)
        if previous is None and envelope.repeat_of_connection_id:
            prior = (call.station_id, envelope.repeat_of_connection_id, call.message_id)
            previous = await self._kept_under(key, digest, self._recent.get(prior) or await self._answered.get(*prior))
        elif previous is None and envelope.first_call:
            latest = await self._answered.latest(call.station_id)
            if latest and latest.message_id == call.message_id and latest.connection_id != call.connection_id:
                previous = await self._kept_under(key, digest, latest.answer)
        if previous is not None and previous.answers_copy(source, digest):
            return Answer(previous.reply, previous.is_error, [])
        started = time.perf_counter()
        answer = await self._router.dispatch(call, frame)
        metrics.observe_handler(self._service, call.action, answer.is_error, time.perf_counter() - started)
        answered = AnsweredCall(source, digest, answer.frame, answer.is_error)
        if answer.remember:
            await self._answered.put(*key, answered)
        self._recent.put(key, answered)
        return answer

    async def _kept_under(self, key: CallKey, digest: bytes, previous: AnsweredCall | None) -> AnsweredCall | None:
        """`previous`, an answer given on another connection, kept under `key` too when it answered this frame."""
        if previous is None or previous.frame_digest != digest:
            return None
        await self._answered.put(*key, previous)
        self._recent.put(key, previous)
        return previous

    def _sent_before(self, call: CallInfo, raw: bytes, source: str, *, repeat: bool) -> bool:
        """True for a copy of a SEND this process handled from another record (the edge hands a SEND over again,
        marked `repeat`, after a hand-over of unknown outcome); otherwise the SEND is remembered. Only this process
        remembers its SENDs (a durable write per telemetry frame would cost more than handling it): a copy that
        reaches another instance after a rebalance is handled again."""
        key = (call.station_id, call.connection_id, call.message_id)
        digest = frame_digest(raw)
        previous = self._recent_sends.get(key)
        if repeat and previous is not None and previous.answers_copy(source, digest):
            return True
        self._recent_sends.put(key, AnsweredCall(source, digest, "", False))
        return False

    def _may_own(self, record: Record) -> bool:
        """False for a record whose Kafka headers (`envelope_headers`) show it is not one of this service's
        CALLs, so most records are never decoded; a record without them is decoded and checked."""
        if not record.headers:
            return True
        headers = dict(record.headers)
        action = headers.get("action")
        return (
            headers.get("kind") == _KIND_FRAME
            and headers.get("message_type") in _ROUTED_MESSAGE_TYPES
            and (action is None or owner_of(action.decode("utf-8", errors="replace")) == self._service)
        )

    def _is_owned_call(self, envelope: envelope_pb2.Envelope) -> bool:
        return (
            envelope.kind == envelope_pb2.KIND_FRAME
            and envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS
            and envelope.message_type in _ROUTED_TYPES
            and owner_of(envelope.action) == self._service
        )

    def _dead_letter(self, value: bytes, reason: str) -> OutRecord:
        log.error("%s: record parked in %s: %s", self._service, topics.DEAD_LETTER, reason)
        headers: Headers = [("source_topic", topics.calls(self._service).encode()), ("reason", reason.encode())]
        return OutRecord(topics.DEAD_LETTER, b"", value, headers)

    def _event_record(self, key: bytes, event: Message, traceparent: str) -> OutRecord:
        headers: Headers = [("event_type", event.DESCRIPTOR.full_name.encode())]
        if traceparent:
            headers.append((tracing.TRACEPARENT, traceparent.encode()))
        return OutRecord(self._events_topic, key, event.SerializeToString(), headers)


def kafka_call_runner(
    *,
    service: str,
    instance: str,
    settings: CommonSettings,
    router: Router[C],
    answered: AnsweredCalls,
    events_topic: str,
    clock: Callable[[], datetime],
) -> tuple[CallRunner[C], AsyncConsumer]:
    """A service's call runner with its Kafka clients: the consumer (group `<service>.handlers`, started and
    stopped by the caller) and the transactional producer with the id `<service>.handlers.<instance>`."""
    group = f"{service}.handlers"
    consumer = AsyncConsumer(
        librdkafka_consumer_config(
            settings.kafka_bootstrap,
            group,
            f"{instance}.handlers",
            gather_ms=settings.handler_gather_ms or None,
            security=settings.kafka_security,
        ),
        [topics.calls(service)],
    )
    producer = TransactionalProducer(
        librdkafka_transactional_config(
            settings.kafka_bootstrap, f"{instance}.handlers", f"{group}.{instance}", security=settings.kafka_security
        )
    )
    runner = CallRunner(
        service=service,
        router=router,
        consumer=consumer,
        producer=producer,
        answered=answered,
        events_topic=events_topic,
        clock=clock,
        transaction_interval_s=settings.handler_transaction_interval_s,
    )
    return runner, consumer
