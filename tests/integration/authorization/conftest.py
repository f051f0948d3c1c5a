"""Fixtures for the authorization integration tests: a Cassandra session on the authorization keyspace, and
token and station outboxes of their own.

Tables are shared with other tests running at the same time (e2e stacks included): tests use keys of their own
and never truncate. The outboxes are different: the relays of any authorization service running on the same
Cassandra would publish (and remove) rows a test leaves in `token_outbox`, `station_outbox` or `security_outbox`,
so tests that look at an outbox get a table of their own, made from the statement in schema.cql."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms_authorization.adapters.outbox import OUTBOX_TABLE, SECURITY_OUTBOX_TABLE, STATION_OUTBOX_TABLE
from csms_authorization.adapters.store import KEYSPACE
from csms_kernel.infra import cassandra
from csms_kernel.migrate import package_schemas, split_cql
from infra_fixtures import Infra


@pytest.fixture(scope="module")
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, KEYSPACE)
    yield connected
    await connected.close()


async def _scratch_copy(session: cassandra.CassandraSession, table: str) -> str:
    """A new table made with the CREATE statement of `table` in schema.cql; its name."""
    (schema,) = package_schemas(["csms_authorization"])
    (create,) = [s for s in split_cql(schema.cql) if f"{KEYSPACE}.{table} (" in s]
    copy = f"{table}_{uuid.uuid4().hex[:12]}"
    await session.execute(create.replace(f"{KEYSPACE}.{table} (", f"{KEYSPACE}.{copy} ("))
    return copy


@pytest.fixture(scope="module")
async def outbox_table(session: cassandra.CassandraSession) -> AsyncIterator[str]:
    """A token outbox table for this module's tests alone, dropped afterwards."""
    table = await _scratch_copy(session, OUTBOX_TABLE)
    yield table
    await session.execute(f"DROP TABLE IF EXISTS {KEYSPACE}.{table}")


@pytest.fixture(scope="module")
async def station_outbox_table(session: cassandra.CassandraSession) -> AsyncIterator[str]:
    """A station outbox table for this module's tests alone, dropped afterwards."""
    table = await _scratch_copy(session, STATION_OUTBOX_TABLE)
    yield table
    await session.execute(f"DROP TABLE IF EXISTS {KEYSPACE}.{table}")


@pytest.fixture(scope="module")
async def security_outbox_table(session: cassandra.CassandraSession) -> AsyncIterator[str]:
    """A security outbox table for this module's tests alone, dropped afterwards."""
    table = await _scratch_copy(session, SECURITY_OUTBOX_TABLE)
    yield table
    await session.execute(f"DROP TABLE IF EXISTS {KEYSPACE}.{table}")
