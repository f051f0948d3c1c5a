"""How idempotent statements are sent to Cassandra in few requests (pure; no I/O).

A request costs the driver and Cassandra far more CPU than a statement inside it (measured on the 2-core box:
~100 µs of client CPU per request when many are in flight, 300-500 µs one at a time; ~5 µs to bind a statement
into a batch). Statements about one partition go as one unlogged batch, which Cassandra applies as one mutation
(no batch log, and no batch size limit since it is one mutation). Partitions that get a single statement (index
entries) go together, a few partitions per unlogged batch: under Cassandra's warning threshold for batches
across partitions (10), and far under its size limit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, TypeVar

from cassandra.query import BatchStatement, BatchType, BoundStatement, Statement

# Statements per batch about one partition: bounds one mutation when a projector batch holds many events of
# the same transaction.
BATCH_STATEMENTS = 100
# Partitions per batch of single statements (Cassandra's unlogged_batch_across_partitions_warn_threshold).
BATCH_PARTITIONS = 10


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
