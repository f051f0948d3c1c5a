"""Fakes of the call runner's Kafka ports (`kafka_transactions.Consumer` and `Producer`): no I/O."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from typing import Any

from aiokafka import TopicPartition

from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import Headers
from csms_kernel.infra.kafka_transactions import Batch, Generation, OutRecord, Record
from kit.waiting import eventually

P0, P1 = TopicPartition(topics.FRAMES, 0), TopicPartition(topics.FRAMES, 1)
GEN1 = Generation(1, b"generation 1")
GEN2 = Generation(2, b"generation 2")


def record(partition: int, offset: int, value: bytes, headers: Headers | None = None) -> Record:
    return Record(topics.FRAMES, partition, offset, b"CS1", value, headers or [])


def connected(partition: int, offset: int) -> Record:
    """A CONNECTED record: no service answers it, so it publishes nothing."""
    value = envelope_pb2.Envelope(station_id="CS1", kind=envelope_pb2.KIND_CONNECTED).SerializeToString()
    return record(partition, offset, value)


def undecodable(partition: int, offset: int) -> Record:
    """Parked in the dead-letter topic: something to publish."""
    return record(partition, offset, b"\xff")


class FakeConsumer:
    """Returns `polls` in order, then nothing. A poll is a batch, or a (generation, batch) pair: the
    generation the consumer is in once that poll returns (a rebalance served inside it). `rewind` puts the
    records returned so far back in front, from the offsets `committed` tells (wire it to a FakeProducer's)."""

    def __init__(self, *polls: Batch | tuple[Generation, Batch], generation: Generation = GEN1) -> None:
        self.polls = list(polls)
        self.current = generation
        self.after_poll: Callable[[], None] = lambda: None
        self.committed: Callable[[TopicPartition], int] = lambda tp: 0
        self.returned: dict[TopicPartition, dict[int, Record]] = {}
        self.rewound: list[set[TopicPartition]] = []

    async def poll(self, max_records: int, timeout_s: float) -> Batch:
        if not self.polls:
            await asyncio.sleep(timeout_s)
            return {}
        polled = self.polls.pop(0)
        if isinstance(polled, tuple):
            self.current, polled = polled
        for tp, records in polled.items():
            self.returned.setdefault(tp, {}).update((r.offset, r) for r in records)
        self.after_poll()
        return polled

    async def rewind(self, partitions: Collection[TopicPartition]) -> None:
        self.rewound.append(set(partitions))
        again = {
            tp: [r for offset, r in sorted(self.returned.get(tp, {}).items()) if offset >= self.committed(tp)]
            for tp in partitions
        }
        again = {tp: records for tp, records in again.items() if records}
        if again:
            self.polls.insert(0, again)

    def generation(self) -> Generation:
        return self.current

    def assignment(self) -> set[TopicPartition]:
        return set()

    def highwater(self, partition: TopicPartition) -> int | None:
        return None

    def last_stable_offset(self, partition: TopicPartition) -> int | None:
        return None

    async def position(self, partition: TopicPartition) -> int:
        return 0


Commit = tuple[list[str], dict[TopicPartition, int], Generation]


class CommittedAnyway(Exception):
    """A FakeProducer failure whose transaction committed all the same (a commit that timed out on its way back)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


class FakeProducer:
    """Records each committed transaction as (topics of its records, offsets, generation); `failures` are
    raised by the next commits, one each (a CommittedAnyway's error after recording the commit),
    `start_failures` by the next starts; commits need a start."""

    def __init__(
        self,
        existing: set[str] | None = None,
        failures: Sequence[Exception] = (),
        start_failures: Sequence[Exception] = (),
    ) -> None:
        self.existing = existing if existing is not None else {topics.DEAD_LETTER}
        self.failures = list(failures)
        self.start_failures = list(start_failures)
        self.committed: list[Commit] = []
        self.attempts = 0
        self.started = False
        self.stopped = False

    async def start(self) -> None:
        if self.start_failures:
            raise self.start_failures.pop(0)
        self.started = True

    async def commit(
        self, records: Sequence[OutRecord], offsets: Mapping[TopicPartition, int], generation: Generation
    ) -> None:
        assert self.started
        self.attempts += 1
        failure = self.failures.pop(0) if self.failures else None
        if isinstance(failure, CommittedAnyway):
            self.committed.append(([out.topic for out in records], dict(offsets), generation))
            raise failure.error
        if failure is not None:
            raise failure
        self.committed.append(([out.topic for out in records], dict(offsets), generation))

    def committed_offset(self, partition: TopicPartition) -> int:
        """The group's committed offset of `partition` (0 before any commit)."""
        return max((offsets[partition] for _, offsets, _ in self.committed if partition in offsets), default=0)

    async def topics(self) -> set[str]:
        return self.existing

    async def stop(self) -> None:
        self.stopped = True


@contextlib.asynccontextmanager
async def running(calls: CallRunner[Any]) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(calls.run())
    try:
        yield task
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until_committed(producer: FakeProducer, count: int) -> None:
    async def committed() -> int:
        return len(producer.committed)

    await eventually(committed, lambda n: n >= count, timeout_s=5, what=f"{count} transactions")
