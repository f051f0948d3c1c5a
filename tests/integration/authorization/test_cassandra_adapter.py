"""csms_kernel.infra.cassandra against the real Cassandra: prepared-statement cache, all rows, paging, errors.

(The adapter is shared; its tests live here because the authorization service is its first user.)
"""

from __future__ import annotations

import asyncio

import pytest
from cassandra import InvalidRequest

from csms_kernel.infra.cassandra import CassandraSession

pytestmark = pytest.mark.integration

COLUMNS = "SELECT column_name FROM system_schema.columns WHERE keyspace_name = ?"


async def test_prepare_is_cached_per_cql_and_flag(session: CassandraSession) -> None:
    first, second = await asyncio.gather(
        session.prepare(COLUMNS, idempotent=True), session.prepare(COLUMNS, idempotent=True)
    )
    assert first is second
    assert first.is_idempotent is True
    other = await session.prepare(COLUMNS, idempotent=False)
    assert other is not first and other.is_idempotent is False


async def test_execute_returns_every_row_as_a_dict(session: CassandraSession) -> None:
    statement = await session.prepare(COLUMNS, idempotent=True)
    rows = await session.execute(statement, ("system_schema",))
    assert len(rows) > 20
    assert {"column_name": "keyspace_name"} in rows
    assert await session.execute("SELECT key FROM system.local WHERE key = 'nothing'") == []


async def test_a_cql_string_takes_parameters(session: CassandraSession) -> None:
    rows = await session.execute("SELECT key FROM system.local WHERE key = %s", ("local",), idempotent=True)
    assert rows == [{"key": "local"}]


async def test_execute_page_walks_the_same_rows_in_pages(session: CassandraSession) -> None:
    statement = await session.prepare(COLUMNS, idempotent=True)
    everything = await session.execute(statement, ("system_schema",))
    pages: list[list[str]] = []
    state: bytes | None = None
    while True:
        rows, state = await session.execute_page(statement, ("system_schema",), 7, state)
        pages.append([r["column_name"] for r in rows])
        if state is None:
            break
    assert all(len(page) <= 7 for page in pages)
    assert len(pages) >= len(everything) // 7
    assert [c for page in pages for c in page] == [r["column_name"] for r in everything]


async def test_a_statement_error_is_raised_not_retried(session: CassandraSession) -> None:
    with pytest.raises(InvalidRequest):
        await session.execute("SELECT nope FROM system.local", idempotent=True)
