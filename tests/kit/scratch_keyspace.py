"""Scratch keyspaces for integration tests: a service's whole schema.cql in a keyspace of its own
(`service_keyspace`), the transactions read-model tables alone (`create_keyspace`), and full dumps for comparisons."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.migrate import package_schemas, split_cql
from csms_transactions.projections.tables import KEYSPACE, TABLES

_TABLE = re.compile(rf"CREATE TABLE IF NOT EXISTS {KEYSPACE}\.(\w+)")


@asynccontextmanager
async def service_keyspace(session: CassandraSession, package: str, keyspace: str) -> AsyncIterator[str]:
    """A fresh keyspace with every table of `package`'s schema.cql (its keyspace `keyspace` renamed), dropped after."""
    name = f"{package}_it_{uuid.uuid4().hex[:10]}"
    await session.execute(
        f"CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    (schema,) = package_schemas([package])
    try:
        for statement in split_cql(schema.cql):
            await session.execute(statement.replace(f"{keyspace}.", f"{name}."))
        yield name
    finally:
        await drop_keyspace(session, name)


async def create_keyspace(session: CassandraSession) -> str:
    """A fresh keyspace holding the projection's tables (same definitions as csms_transactions/schema.cql)."""
    keyspace = f"csms_transactions_scratch_{uuid.uuid4().hex[:12]}"
    await session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    (schema,) = package_schemas(["csms_transactions"])
    for statement in split_cql(schema.cql):
        found = _TABLE.search(statement)
        if found and found.group(1) in TABLES:
            await session.execute(statement.replace(f"{KEYSPACE}.", f"{keyspace}."))
    return keyspace


async def drop_keyspace(session: CassandraSession, keyspace: str) -> None:
    await session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")


async def dump(session: CassandraSession, keyspace: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every read-model table, in a stable order."""
    tables = {}
    for table in TABLES:
        rows = await session.execute(f"SELECT * FROM {keyspace}.{table}", idempotent=True)
        tables[table] = sorted(rows, key=repr)
    return tables
