"""An in-memory Kafka log as `read_committed` readers of the live events see it (`LogReader` of csms_api.live).

Each partition is a list indexed by offset; an entry is a record or None (a transaction marker or an aborted
record: it takes an offset, nobody reads it). `retain_from` drops the head of a partition as retention does;
`add_partitions` grows a topic; `failing_reads` makes a reader's next reads fail,
`paused` makes it read nothing. Every reader made by `reader()` is remembered, so tests can tell whether a
stream caught up through its own consumer.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aiokafka import TopicPartition

from csms_api.live.log import Fetched, PositionsLost


@dataclass(frozen=True, slots=True)
class FakeRecord:
    offset: int
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()


class FakeLog:
    def __init__(self, partitions: Mapping[str, int]) -> None:
        self._entries: dict[TopicPartition, list[FakeRecord | None]] = {}
        self._first: dict[TopicPartition, int] = {}
        self._changed = asyncio.Event()
        self.readers: list[FakeLogReader] = []
        for topic, count in partitions.items():
            self.add_partitions(topic, count)

    def add_partitions(self, topic: str, count: int) -> None:
        existing = sum(1 for tp in self._entries if tp.topic == topic)
        for partition in range(existing, existing + count):
            self._entries[TopicPartition(topic, partition)] = []
            self._first[TopicPartition(topic, partition)] = 0

    def append(self, tp: TopicPartition, value: bytes, headers: Sequence[tuple[str, bytes]] = ()) -> int:
        """A committed record; its offset."""
        entries = self._entries[tp]
        entries.append(FakeRecord(len(entries), value, tuple(headers)))
        self._wake()
        return len(entries) - 1

    def skip(self, tp: TopicPartition, count: int = 1) -> None:
        """Offsets nobody reads: transaction markers, aborted records."""
        self._entries[tp].extend([None] * count)
        self._wake()

    def retain_from(self, tp: TopicPartition, offset: int) -> None:
        self._first[tp] = offset

    def first(self, tp: TopicPartition) -> int:
        return self._first[tp]

    def end(self, tp: TopicPartition) -> int:
        return len(self._entries[tp])

    def partitions_of(self, topics: Sequence[str]) -> list[TopicPartition]:
        return [tp for tp in self._entries if tp.topic in topics]

    def entry(self, tp: TopicPartition, offset: int) -> FakeRecord | None:
        return self._entries[tp][offset]

    def reader(self) -> FakeLogReader:
        reader = FakeLogReader(self)
        self.readers.append(reader)
        return reader

    def _wake(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def changed(self, timeout_s: float) -> None:
        event = self._changed
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await event.wait()


class FakeLogReader:
    def __init__(self, log: FakeLog) -> None:
        self._log = log
        self._positions: dict[TopicPartition, int] = {}
        self.started = False
        self.stopped = False
        self.failing_reads = 0
        self.paused = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]:
        return self._log.partitions_of(topics)

    async def bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        return {tp: self._log.first(tp) for tp in partitions}, {tp: self._log.end(tp) for tp in partitions}

    def seek(self, positions: Mapping[TopicPartition, int]) -> None:
        self._positions = dict(positions)

    async def read(self, timeout_s: float, max_records: int) -> Fetched:
        if self.failing_reads:
            self.failing_reads -= 1
            raise ConnectionError("broker unreachable")
        if self.paused:
            await asyncio.sleep(min(timeout_s, 0.01))
            return Fetched({}, dict(self._positions))
        fetched = self._take(max_records)
        if fetched is None:
            await self._log.changed(timeout_s)
            fetched = None if self.paused else self._take(max_records)
        return fetched or Fetched({}, dict(self._positions))

    def _take(self, max_records: int) -> Fetched | None:
        lost = [tp for tp, at in self._positions.items() if at < self._log.first(tp) or at > self._log.end(tp)]
        if lost:
            raise PositionsLost(lost)
        records: dict[TopicPartition, list[FakeRecord]] = {}
        moved = False
        taken = 0
        for tp, at in self._positions.items():
            while at < self._log.end(tp) and taken < max_records:
                entry = self._log.entry(tp, at)
                at += 1
                moved = True
                if entry is not None:
                    records.setdefault(tp, []).append(entry)
                    taken += 1
            self._positions[tp] = at
        return Fetched(records, dict(self._positions)) if moved else None
