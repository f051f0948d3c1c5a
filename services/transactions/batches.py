"""Several idempotent statements about one Cassandra partition sent as one request (no I/O here).

A request costs the driver and Cassandra far more CPU than a statement inside it, and an unlogged batch confined to
one partition is applied as one mutation (no batch log, no size limit beyond the mutation's).
"""

from __future__ import annotations

from collections.abc import Sequence

from cassandra.query import BatchStatement, BatchType, BoundStatement, Statement


def one_request(statements: Sequence[BoundStatement]) -> Statement:
    """The statement itself when alone, else an unlogged batch of them (retried like its idempotent parts)."""
    if len(statements) == 1:
        return statements[0]
    batch = BatchStatement(BatchType.UNLOGGED)
    for statement in statements:
        batch.add(statement)
    batch.is_idempotent = True
    return batch
