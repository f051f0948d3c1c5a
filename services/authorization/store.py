"""What the authorization service's Cassandra adapters share: their errors and statement execution.

`execute` prepares (once per process) and runs one CQL statement through `csms.cassandra`, turning transient
driver errors that outlived the retries into `StoreUnavailable` (network I/O only).
"""

from __future__ import annotations

from datetime import UTC, datetime

from csms.cassandra import TRANSIENT_ERRORS, CassandraSession, Row
from csms.runtime.errors import RetryableError

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


def utc(value: datetime) -> datetime:
    """The driver returns naive datetimes in UTC."""
    return value.replace(tzinfo=UTC)
