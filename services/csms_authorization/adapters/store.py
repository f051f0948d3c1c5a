"""What the authorization service's Cassandra adapters share: their errors and statement execution.

`execute` prepares (once per process) and runs one CQL statement through `csms.cassandra`, `execute_batch` runs
several as one batch; transient driver errors that outlived the retries become `StoreUnavailable` (network I/O
only).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from cassandra.query import BatchStatement, BatchType

from csms_kernel.infra.cassandra import TRANSIENT_ERRORS, CassandraSession, Row
from csms_kernel.ocpp.errors import RetryableError

KEYSPACE = "csms_authorization"


class StoreUnavailable(RetryableError):
    """The store did not answer, even after retries."""


class InvalidPageToken(ValueError):
    """The page token was not produced by the store's `list_page`."""


async def execute(
    session: CassandraSession, cql: str, params: tuple[object, ...], *, idempotent: bool = True
) -> list[Row]:
    statement = await session.prepare(cql, idempotent=idempotent)
    try:
        return await session.execute(statement, params)
    except TRANSIENT_ERRORS as exc:
        raise StoreUnavailable(str(exc)) from exc


async def execute_batch(
    session: CassandraSession, statements: Sequence[tuple[str, tuple[object, ...]]], *, logged: bool
) -> None:
    """Runs idempotent statements as one request: a logged batch applies all of them or, after a failure,
    still all of them eventually (Cassandra's batch log); unlogged only for statements about one partition
    (one mutation, atomic without the batch log)."""
    batch = BatchStatement(BatchType.LOGGED if logged else BatchType.UNLOGGED)
    for cql, params in statements:
        batch.add((await session.prepare(cql, idempotent=True)).bind(params))
    batch.is_idempotent = True
    try:
        await session.execute(batch)
    except TRANSIENT_ERRORS as exc:
        raise StoreUnavailable(str(exc)) from exc


def utc(value: datetime) -> datetime:
    """The driver returns naive datetimes in UTC."""
    return value.replace(tzinfo=UTC)
