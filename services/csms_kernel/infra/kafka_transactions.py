"""Consume-transform-produce over librdkafka (confluent-kafka) for asyncio: a group consumer that reads
`read_committed`, and a transactional producer that commits a batch's records and the consumer's offsets in one
transaction, with the group generation the batch was read in (KIP-447), so the broker refuses a zombie's commit.

Every librdkafka call that may block runs on the client's own single worker thread, so the event loop never
waits on librdkafka and no two calls of one client overlap (one transaction at a time per producer). The
consumer's rebalance callbacks run on that thread, inside `poll`.
Side effects: librdkafka's threads and broker connections, until `stop`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import struct
import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar, cast

import confluent_kafka
from aiokafka import TopicPartition

from csms_kernel.infra.kafka import Headers
from csms_kernel.telemetry.metrics import LagSource

log = logging.getLogger(__name__)
librdkafka_log = logging.getLogger("librdkafka")

T = TypeVar("T")

_CALL_TIMEOUT_S = 10.0
_STATS_INTERVAL_MS = 1000
# The serialised form of librdkafka's consumer group metadata starts with this magic and the generation id.
_METADATA_MAGIC = b"CGMDv2:"
_NO_GENERATION = -1
# The broker's answers to offsets sent with a generation or member the group no longer has.
_GROUP_FENCED = frozenset(
    {
        confluent_kafka.KafkaError.ILLEGAL_GENERATION,
        confluent_kafka.KafkaError.UNKNOWN_MEMBER_ID,
        confluent_kafka.KafkaError.FENCED_INSTANCE_ID,
    }
)
# Broker connections failing and retried by librdkafka (it also logs each attempt).
_CONNECTIVITY = frozenset({confluent_kafka.KafkaError._TRANSPORT, confluent_kafka.KafkaError._ALL_BROKERS_DOWN})
_PRODUCER_FENCED = frozenset(
    {
        confluent_kafka.KafkaError._FENCED,
        confluent_kafka.KafkaError.PRODUCER_FENCED,
        confluent_kafka.KafkaError.INVALID_PRODUCER_EPOCH,
    }
)


@dataclass(frozen=True, slots=True)
class Record:
    """A consumed record."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Headers


@dataclass(frozen=True, slots=True)
class OutRecord:
    """A record to publish in a transaction."""

    topic: str
    key: bytes
    value: bytes
    headers: Headers


@dataclass(frozen=True)
class Generation:
    """The consumer's assignment as of a poll: `number` changes with every assignment, revocation or loss;
    `metadata` is the group metadata (generation, member id) the assignment was given in, None without one."""

    number: int
    metadata: bytes | None


Batch = dict[TopicPartition, list[Record]]


class GroupFenced(Exception):
    """The batch's offsets were refused (or could not be sent) because the group has moved on: its partitions
    belong to another member now, which handles the records from the committed offsets."""


class ProducerFenced(Exception):
    """Another producer with the same transactional id took over: this process must stop."""


class TransactionFailed(Exception):
    """The transaction did not commit, or its outcome is unknown (a commit that failed or timed out may still have
    gone through): read the batch again from the group's committed offsets, never publish it again from memory."""


class Consumer(LagSource, Protocol):
    """What a call runner reads through (`AsyncConsumer`; fakes in tests)."""

    async def poll(self, max_records: int, timeout_s: float) -> Batch: ...

    def generation(self) -> Generation: ...

    async def rewind(self, partitions: Collection[TopicPartition]) -> None: ...


class Producer(Protocol):
    """What a call runner publishes through (`TransactionalProducer`; fakes in tests)."""

    async def start(self) -> None: ...

    async def commit(
        self, records: Sequence[OutRecord], offsets: Mapping[TopicPartition, int], generation: Generation
    ) -> None: ...

    async def topics(self) -> set[str]: ...

    async def stop(self) -> None: ...


def generation_id(metadata: bytes) -> int:
    """The group generation in librdkafka's serialised consumer group metadata (-1: not in a group)."""
    if not metadata.startswith(_METADATA_MAGIC):
        raise ValueError(f"unknown consumer group metadata format: {metadata[:16]!r}")
    (generation,) = struct.unpack_from("=i", metadata, len(_METADATA_MAGIC))
    return int(generation)


class _Worker:
    """One daemon thread for one librdkafka client: calls run there one at a time, in order. A daemon, so a
    call stuck inside librdkafka never keeps the process from exiting."""

    def __init__(self, name: str) -> None:
        self._calls: queue.SimpleQueue[Callable[[], None] | None] = queue.SimpleQueue()
        self._stopped = False
        threading.Thread(target=self._serve, name=name, daemon=True).start()

    async def run(self, call: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        done: asyncio.Future[T] = loop.create_future()

        def settle(result: T | None, error: BaseException | None) -> None:
            if done.done():
                return
            if error is not None:
                done.set_exception(error)
            else:
                done.set_result(cast(T, result))

        def work() -> None:
            try:
                result = call(*args)
            except BaseException as exc:  # handed to the awaiting coroutine
                loop.call_soon_threadsafe(settle, None, exc)
            else:
                loop.call_soon_threadsafe(settle, result, None)

        if self._stopped:
            raise RuntimeError("worker stopped")
        self._calls.put(work)
        return await done

    def retire(self, last: Callable[[], object]) -> None:
        """Runs `last` after whatever is queued or running (now or, for a stuck call, whenever it returns),
        then ends the thread; later calls are refused."""
        if self._stopped:
            return
        self._stopped = True
        self._calls.put(lambda: _quietly(last))
        self._calls.put(None)

    async def close(self, last: Callable[[], object]) -> None:
        """`retire`, waiting for `last` to have run."""
        if self._stopped:
            return
        await self.run(last)
        self.retire(lambda: None)

    def _serve(self) -> None:
        while (work := self._calls.get()) is not None:
            work()


def _quietly(call: Callable[[], object]) -> None:
    """Closes a librdkafka client; a failure is logged, not raised: the process is shutting the client down
    (confluent-kafka can raise a SystemError from `close` when a callback ran into an error meanwhile)."""
    try:
        call()
    except Exception:
        log.warning("closing a librdkafka client failed", exc_info=True)


def _kafka_error(exc: confluent_kafka.KafkaException) -> confluent_kafka.KafkaError | None:
    error = exc.args[0] if exc.args else None
    return error if isinstance(error, confluent_kafka.KafkaError) else None


CLOSE_TIMEOUT_S = 30.0
"""How long stopping a consumer waits for librdkafka's close."""


class AsyncConsumer:
    """A librdkafka group consumer subscribed to `topics`; `poll` returns records per partition in offset order.
    Records from before a rebalance are never returned after it (librdkafka drops them)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        topics: Sequence[str],
        *,
        factory: Callable[[dict[str, Any]], confluent_kafka.Consumer] = confluent_kafka.Consumer,
        close_timeout_s: float = CLOSE_TIMEOUT_S,
    ) -> None:
        self._close_timeout_s = close_timeout_s
        self._config = {
            **config,
            "error_cb": self._on_error,
            "logger": librdkafka_log,
            "statistics.interval.ms": _STATS_INTERVAL_MS,
            "stats_cb": self._on_stats,
        }
        self._topics = list(topics)
        self._factory = factory
        self._consumer: confluent_kafka.Consumer | None = None
        self._worker = _Worker(f"kafka-consumer-{config.get('client.id', '')}")
        self._assigned: set[TopicPartition] = set()
        self._generation = Generation(0, None)
        self._ends: dict[TopicPartition, int] = {}
        self._committed: dict[TopicPartition, int] = {}
        self._fetching: dict[TopicPartition, int] = {}

    async def start(self) -> None:
        consumer = self._factory(self._config)
        consumer.subscribe(self._topics, on_assign=self._on_assign, on_revoke=self._on_revoke, on_lost=self._on_lost)
        self._consumer = consumer

    async def stop(self) -> None:
        """Leaves the group and closes (after a poll still running on the worker thread), waiting at most
        `close_timeout_s`: librdkafka's close can block indefinitely while the group rebalances; the daemon worker
        is then left to finish it, and the coordinator drops the member after its session timeout (its offsets
        are committed with its transactions, so nothing is lost)."""
        consumer, self._consumer = self._consumer, None
        try:
            await asyncio.wait_for(
                self._worker.close(lambda: _quietly(consumer.close) if consumer is not None else None),
                self._close_timeout_s,
            )
        except TimeoutError:
            log.warning(
                "Kafka consumer %s did not close within %.0f s; left closing in the background",
                self._config.get("client.id", ""),
                self._close_timeout_s,
            )

    async def poll(self, max_records: int, timeout_s: float) -> Batch:
        """Up to `max_records` records, waiting up to `timeout_s` for the first; rebalance callbacks run here."""
        messages = await self._worker.run(self._consume, max_records, timeout_s)
        batch: Batch = {}
        for message in messages:
            error = message.error()
            if error is not None:
                if error.fatal():
                    raise confluent_kafka.KafkaException(error)
                log.warning("Kafka consumer: %s", error)
                continue
            topic, partition, offset = message.topic(), message.partition(), message.offset()
            assert topic is not None and partition is not None and offset is not None
            batch.setdefault(TopicPartition(topic, partition), []).append(
                Record(topic, partition, offset, message.key(), message.value(), cast(Headers, message.headers() or []))
            )
        return batch

    def _consume(self, max_records: int, timeout_s: float) -> list[confluent_kafka.Message]:
        # librdkafka's consume(n, timeout) returns only once n messages are there or the timeout is over, whatever
        # arrived meanwhile: wait for one (at once if one is queued), then take what else is queued.
        consumer = self._started()
        messages = consumer.consume(1, timeout_s)
        if messages and max_records > 1:
            messages += consumer.consume(max_records - 1, 0)
        return messages

    def generation(self) -> Generation:
        return self._generation

    async def rewind(self, partitions: Collection[TopicPartition]) -> None:
        """The next polls return `partitions` from the group's committed offsets again (those still assigned;
        a read_committed consumer waits for a pending transaction's offsets to settle)."""
        wanted = [confluent_kafka.TopicPartition(tp.topic, tp.partition) for tp in partitions if tp in self._assigned]
        if wanted:
            await self._worker.run(self._seek_committed, wanted)

    def _seek_committed(self, partitions: list[confluent_kafka.TopicPartition]) -> None:
        consumer = self._started()
        for tp in consumer.committed(partitions, timeout=_CALL_TIMEOUT_S):
            if tp.error is not None:
                raise confluent_kafka.KafkaException(tp.error)
            offset = tp.offset if tp.offset >= 0 else confluent_kafka.OFFSET_BEGINNING  # auto.offset.reset earliest
            consumer.seek(confluent_kafka.TopicPartition(tp.topic, tp.partition, offset))

    def assignment(self) -> set[TopicPartition]:
        return set(self._assigned)

    def highwater(self, partition: TopicPartition) -> int | None:
        """The end of `partition` a `read_committed` reader can reach, as of librdkafka's last statistics;
        None while unknown, or while neither a position nor a committed offset is known."""
        end = self._ends.get(partition, -1)
        if end < 0 or self._known_position(partition) < 0:
            return None
        return end

    def last_stable_offset(self, partition: TopicPartition) -> int | None:
        return self.highwater(partition)

    async def position(self, partition: TopicPartition) -> int:
        """The next offset this consumer returns: its position; before a record came, the committed offset, else
        (nothing committed yet) the offset librdkafka fetches next."""
        return self._known_position(partition)

    def _known_position(self, partition: TopicPartition) -> int:
        tp = confluent_kafka.TopicPartition(partition.topic, partition.partition)
        position = int(self._started().position([tp])[0].offset)
        if position >= 0:
            return position
        committed = self._committed.get(partition, -1)
        return committed if committed >= 0 else self._fetching.get(partition, -1)

    def _started(self) -> confluent_kafka.Consumer:
        if self._consumer is None:
            raise RuntimeError("consumer not started")
        return self._consumer

    def _on_assign(self, consumer: confluent_kafka.Consumer, partitions: list[confluent_kafka.TopicPartition]) -> None:
        metadata = consumer.consumer_group_metadata()
        self._assigned = {TopicPartition(tp.topic, tp.partition) for tp in partitions}
        in_group = generation_id(metadata) != _NO_GENERATION
        self._generation = Generation(self._generation.number + 1, metadata if in_group else None)
        log.info("assigned %s (generation %d)", sorted(self._assigned), generation_id(metadata))

    def _on_revoke(self, consumer: confluent_kafka.Consumer, partitions: list[confluent_kafka.TopicPartition]) -> None:
        self._take_away(partitions, "revoked")

    def _on_lost(self, consumer: confluent_kafka.Consumer, partitions: list[confluent_kafka.TopicPartition]) -> None:
        self._take_away(partitions, "lost")

    def _take_away(self, partitions: list[confluent_kafka.TopicPartition], how: str) -> None:
        gone = {TopicPartition(tp.topic, tp.partition) for tp in partitions}
        self._assigned -= gone
        self._generation = Generation(self._generation.number + 1, None)
        log.info("%s %s", how, sorted(gone))

    def _on_error(self, error: confluent_kafka.KafkaError) -> None:
        if error.code() not in _CONNECTIVITY:
            log.warning("Kafka consumer: %s", error)

    def _on_stats(self, stats_json: str) -> None:
        try:
            self._read_stats(stats_json)
        except (ValueError, TypeError, AttributeError):  # a callback must not raise (confluent-kafka issue 865)
            log.warning("unreadable librdkafka statistics", exc_info=True)

    def _read_stats(self, stats_json: str) -> None:
        """librdkafka's statistics: per partition, the end a `read_committed` reader can reach (the last stable
        offset), the group's committed offset and the next offset to fetch, which stand in for a position until a
        record arrives."""
        stats = json.loads(stats_json)
        ends: dict[TopicPartition, int] = {}
        committed: dict[TopicPartition, int] = {}
        fetching: dict[TopicPartition, int] = {}
        for topic, topic_stats in stats.get("topics", {}).items():
            for number, partition in topic_stats.get("partitions", {}).items():
                tp = TopicPartition(topic, int(number))
                if tp not in self._assigned:
                    continue
                end = partition.get("ls_offset", -1)
                ends[tp] = end if end >= 0 else partition.get("hi_offset", -1)
                committed[tp] = partition.get("committed_offset", -1)
                fetching[tp] = partition.get("next_offset", -1)
        self._ends, self._committed, self._fetching = ends, committed, fetching


class _ProducerSession:
    """One librdkafka transactional producer on its own worker thread, created and initialised on first use.
    Every method runs on that thread; an abandoned session never commits again."""

    def __init__(
        self,
        config: dict[str, Any],
        factory: Callable[[dict[str, Any]], confluent_kafka.Producer],
        timeout_s: float,
        number: int,
    ) -> None:
        self.worker = _Worker(f"kafka-txn-{config.get('client.id', '')}-{number}")
        self.abandoned = False
        self._config = config
        self._factory = factory
        self._timeout_s = timeout_s
        self._producer: confluent_kafka.Producer | None = None
        self._unusable = False

    @property
    def unusable(self) -> bool:
        """True once the producer failed in a way only a new producer recovers from."""
        return self._unusable

    def initialise(self) -> None:
        try:
            self._started()
        except confluent_kafka.KafkaException as exc:
            raise _failure(exc) from exc

    def list_topics(self) -> Any:
        return self._started().list_topics(timeout=self._timeout_s)

    def transaction(self, records: list[OutRecord], offsets: dict[TopicPartition, int], metadata: bytes) -> None:
        try:
            producer = self._started()
        except confluent_kafka.KafkaException as exc:
            raise _failure(exc) from exc
        try:
            producer.begin_transaction()
            for record in records:
                headers: list[tuple[str, str | bytes | None]] = list(record.headers)
                producer.produce(record.topic, record.value, record.key, headers=headers)
            positions = [
                confluent_kafka.TopicPartition(tp.topic, tp.partition, offset) for tp, offset in offsets.items()
            ]
            producer.send_offsets_to_transaction(positions, metadata, self._timeout_s)
            if self.abandoned:  # a newer producer with this transactional id has taken over (it fences this one)
                self._abort(producer)
                raise TransactionFailed("the producer was replaced during the transaction")
        except (confluent_kafka.KafkaException, BufferError) as exc:
            failure = _failure(exc)
            if not isinstance(failure, ProducerFenced):
                self._abort(producer)
            raise failure from exc
        try:
            self._commit(producer)
        except confluent_kafka.KafkaException as exc:
            failure = _failure(exc)
            error = _kafka_error(exc)
            if error is not None and error.txn_requires_abort():
                self._abort(producer)
            elif not isinstance(failure, ProducerFenced):
                # The commit may or may not have gone through: only a new producer with this transactional id
                # settles it (its initialisation completes or aborts what this one left).
                self._unusable = True
            raise failure from exc
        finally:
            _serve_events(producer)

    def _commit(self, producer: confluent_kafka.Producer) -> None:
        """commit_transaction, repeated while librdkafka calls its error retriable (a timed-out commit is retried,
        never aborted: it may already be complete on the broker)."""
        deadline = time.monotonic() + self._timeout_s
        while True:
            try:
                producer.commit_transaction(self._timeout_s)
                return
            except confluent_kafka.KafkaException as exc:
                error = _kafka_error(exc)
                if error is None or not error.retriable() or time.monotonic() >= deadline:
                    raise

    def close(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            producer.close()

    def _started(self) -> confluent_kafka.Producer:
        if self._unusable:
            raise TransactionFailed("the producer can no longer be used")
        if self._producer is None:
            producer = self._factory(self._config)
            try:
                producer.init_transactions(self._timeout_s)
            except BaseException:
                producer.close()
                raise
            self._producer = producer
        return self._producer

    def _abort(self, producer: confluent_kafka.Producer) -> None:
        """Aborts the open transaction; a producer that cannot abort (fatal error, timeout) is unusable."""
        try:
            producer.abort_transaction(self._timeout_s)
        except confluent_kafka.KafkaException as exc:
            log.warning("aborting the transaction failed (%s); the producer will be replaced", exc)
            self._unusable = True


def _serve_events(producer: confluent_kafka.Producer) -> None:
    """Serves the producer's queued errors and logs; a fatal error it reports again is already handled."""
    try:
        producer.poll(0)
    except confluent_kafka.KafkaException as exc:
        log.debug("producer events: %s", exc)


def _failure(exc: Exception) -> Exception:
    error = _kafka_error(exc) if isinstance(exc, confluent_kafka.KafkaException) else None
    if error is not None and error.code() in _PRODUCER_FENCED:
        return ProducerFenced(str(error))
    if error is not None and error.code() in _GROUP_FENCED:
        return GroupFenced(str(error))
    return TransactionFailed(str(error or exc))


class TransactionalProducer:
    """A librdkafka producer with a transactional id. `commit` publishes records and consumer offsets in one
    transaction. The producer is initialised by `start` (or on first use), and replaced by a new one with the
    same transactional id (which aborts what the old one left open and fences it) when it failed for good or
    when a call did not return within its deadline: librdkafka's `send_offsets_to_transaction` can block past
    its timeout, forever, after the group coordinator went away (librdkafka issues 5456 and 5511)."""

    def __init__(
        self,
        config: Mapping[str, Any],
        *,
        factory: Callable[[dict[str, Any]], confluent_kafka.Producer] = confluent_kafka.Producer,
        timeout_s: float = _CALL_TIMEOUT_S,
        stuck_after_s: float | None = None,
    ) -> None:
        self._config = {**config, "error_cb": self._on_error, "logger": librdkafka_log}
        self._factory = factory
        self._timeout_s = timeout_s
        self._stuck_after_s = stuck_after_s if stuck_after_s is not None else timeout_s * 1.5
        self._sessions = 0
        self._session = self._new_session()

    async def start(self) -> None:
        """Initialises the producer's transactions: a transaction a previous producer with the same id left
        open is aborted, so the group's offsets it holds become readable again (raises TransactionFailed)."""
        await self._run(lambda session: session.initialise())

    async def commit(
        self, records: Sequence[OutRecord], offsets: Mapping[TopicPartition, int], generation: Generation
    ) -> None:
        """Publishes `records` and commits `offsets` for the group of `generation`, atomically.
        Raises GroupFenced when the group has moved on (nothing is published), ProducerFenced when another
        producer took the transactional id, TransactionFailed otherwise (nothing was published, or, after a commit
        whose outcome is unknown, what the group's committed offsets say once the producer is started again)."""
        metadata = generation.metadata
        if metadata is None:
            raise GroupFenced("the batch was read outside any group generation")
        batch, positions = list(records), dict(offsets)
        await self._run(lambda session: session.transaction(batch, positions, metadata))

    async def topics(self) -> set[str]:
        """The topics that exist (cluster metadata)."""
        metadata = await self._run(lambda session: session.list_topics())
        return set(metadata.topics)

    async def stop(self) -> None:
        session = self._session
        try:
            await asyncio.wait_for(session.worker.close(lambda: _quietly(session.close)), self._stuck_after_s)
        except TimeoutError:
            log.warning("the transactional producer did not close within %.0f s; left behind", self._stuck_after_s)

    async def _run(self, call: Callable[[_ProducerSession], T]) -> T:
        session = self._session
        try:
            return await asyncio.wait_for(session.worker.run(call, session), self._stuck_after_s)
        except TimeoutError:
            log.warning(
                "a transactional producer call did not return within %.1f s; replacing the producer",
                self._stuck_after_s,
            )
            self._replace(session)
            raise TransactionFailed("the producer did not answer in time") from None
        finally:
            if session is self._session and session.unusable:
                self._replace(session)

    def _replace(self, session: _ProducerSession) -> None:
        """Abandons `session` (closed once its thread is free, if ever) for a new producer on a new thread."""
        if session is not self._session:
            return
        session.abandoned = True
        session.worker.retire(session.close)
        self._session = self._new_session()

    def _new_session(self) -> _ProducerSession:
        self._sessions += 1
        return _ProducerSession(self._config, self._factory, self._timeout_s, self._sessions)

    def _on_error(self, error: confluent_kafka.KafkaError) -> None:
        if error.fatal():
            log.error("Kafka transactional producer failed for good: %s", error)
        elif error.code() not in _CONNECTIVITY:
            log.warning("Kafka transactional producer: %s", error)
