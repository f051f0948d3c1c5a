"""The port the live events hub and catch-ups read Kafka through: one consumer with manual assignment, no group,
`read_committed`, positions chosen by the caller. The Kafka adapter is `kafka_log.KafkaLogReader`; tests use an
in-memory log behind the same Protocol. No side effects here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from aiokafka import TopicPartition

from csms_api.live.events import Record


@dataclass(frozen=True, slots=True)
class Fetched:
    """Records read, per partition in offset order, and where every assigned partition now stands: the next
    offset to read, past control markers and aborted records as well as the records returned."""

    records: Mapping[TopicPartition, Sequence[Record]]
    positions: Mapping[TopicPartition, int]


class PositionsLost(Exception):
    """Some positions are no longer in the log (deleted by retention, or the topic was recreated)."""

    def __init__(self, partitions: Sequence[TopicPartition]) -> None:
        super().__init__(f"positions out of range: {sorted(partitions)}")
        self.partitions = partitions


class LogReader(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def partitions(self, topics: Sequence[str]) -> list[TopicPartition]:
        """Every partition of `topics`, as the cluster has them now."""
        ...

    async def bounds(
        self, partitions: Sequence[TopicPartition]
    ) -> tuple[dict[TopicPartition, int], dict[TopicPartition, int]]:
        """(first offset still in the log, last stable offset) of each partition."""
        ...

    def seek(self, positions: Mapping[TopicPartition, int]) -> None:
        """Reads exactly these partitions from now on, each from its given offset."""
        ...

    async def read(self, timeout_s: float, max_records: int) -> Fetched:
        """The next records (none after `timeout_s`); `PositionsLost` when a position is out of range."""
        ...
