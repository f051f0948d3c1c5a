"""The smart-charging integration tests' scratch keyspace: the service's schema.cql in a keyspace of their own
(module scope), dropped afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.migrate import package_schemas, split_cql
from csms_smart_charging.projections.tables import KEYSPACE


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    name = f"csms_smart_charging_it_{uuid.uuid4().hex[:10]}"
    await session.execute(
        f"CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    (schema,) = package_schemas(["csms_smart_charging"])
    for statement in split_cql(schema.cql):
        await session.execute(statement.replace(f"{KEYSPACE}.", f"{name}."))
    yield name
    await session.execute(f"DROP KEYSPACE IF EXISTS {name}")
