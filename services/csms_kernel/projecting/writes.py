"""Read-model writes and how they reach Cassandra (network I/O only in `CassandraWriter.apply`).

A projection maps events to `Write`s: idempotent CQL statements with `{ks}` standing for the keyspace (so a
rebuild can also project into a scratch keyspace), each carrying USING TIMESTAMP so that replays and
out-of-order delivery converge.

A request costs the driver and Cassandra far more CPU than a statement inside it (docs/adr/0008-performance.md).
Statements about one partition go as one unlogged batch, which Cassandra applies as one mutation (no batch log,
and no batch size limit since it is one mutation). Partitions that get a single statement (index entries) go
together, a few partitions per unlogged batch: under Cassandra's warning threshold for batches across
partitions (10), and far under its size limit.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from cassandra.query import BatchStatement, BatchType, BoundStatement, Statement

from csms_kernel.infra.cassandra import CassandraSession

# Statements per batch about one partition: bounds one mutation when a projector batch holds many events of
# the same partition.
BATCH_STATEMENTS = 100
# Partitions per batch of single statements (Cassandra's unlogged_batch_across_partitions_warn_threshold).
BATCH_PARTITIONS = 10
# A write timestamp above every event order (µs since 1970 until the year 146 000): a delete at ENDED_AT shadows
# every write of the row whatever the clock of the station that caused it, so an end is final.
ENDED_AT = 2**62


@dataclass(frozen=True)
class Write:
    cql: str
    params: tuple[object, ...]


def micros(moment: datetime) -> int:
    """A write timestamp: microseconds since 1970."""
    return int(moment.timestamp() * 1_000_000)


class Writer(Protocol):
    async def apply(self, writes: Sequence[Write]) -> None: ...


class CassandraWriter:
    """Sends identical writes once, in few requests (`requests`), into one keyspace."""

    def __init__(self, session: CassandraSession, keyspace: str, concurrency: int = 64) -> None:
        self._session = session
        self._keyspace = keyspace
        self._limit = asyncio.Semaphore(concurrency)

    async def apply(self, writes: Sequence[Write]) -> None:
        bound = [
            (await self._session.prepare(write.cql.format(ks=self._keyspace), idempotent=True)).bind(write.params)
            for write in dict.fromkeys(writes)
        ]

        async def send(statements: list[BoundStatement]) -> None:
            async with self._limit:
                await self._session.execute(one_request(statements))

        await asyncio.gather(*(send(statements) for statements in requests(bound)))


class Routed(Protocol):
    @property
    def routing_key(self) -> bytes | None: ...


R = TypeVar("R", bound=Routed)


def requests(statements: Iterable[R]) -> list[list[R]]:
    """The statements grouped into requests: per partition (in the order given), single statements together."""
    partitions: dict[bytes | None, list[R]] = {}
    for statement in statements:
        partitions.setdefault(statement.routing_key, []).append(statement)
    grouped = [group for group in partitions.values() if len(group) > 1]
    singles = [group[0] for group in partitions.values() if len(group) == 1]
    return [
        *(
            group[start : start + BATCH_STATEMENTS]
            for group in grouped
            for start in range(0, len(group), BATCH_STATEMENTS)
        ),
        *(singles[start : start + BATCH_PARTITIONS] for start in range(0, len(singles), BATCH_PARTITIONS)),
    ]


def one_request(statements: Sequence[BoundStatement]) -> Statement:
    """The statement itself when alone, else an unlogged batch of them (retried like its idempotent parts)."""
    if len(statements) == 1:
        return statements[0]
    batch = BatchStatement(BatchType.UNLOGGED)
    for statement in statements:
        batch.add(statement)
    batch.is_idempotent = True
    return batch
