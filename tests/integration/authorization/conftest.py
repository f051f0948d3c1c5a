"""Fixtures for the authorization integration tests: a Cassandra session on the authorization keyspace, and
token outboxes of their own.

Tables are shared with other tests running at the same time (e2e stacks included): tests use keys of their own
and never truncate. The token outbox is different: the relay of any authorization service running on the same
Cassandra would publish (and remove) rows a test leaves in `token_outbox`, so tests that look at the outbox get
a table of their own, made from the statement in schema.cql."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms_authorization.adapters.outbox import OUTBOX_TABLE
from csms_authorization.adapters.store import KEYSPACE
from csms_kernel.infra import cassandra
from csms_kernel.migrate import package_schemas, split_cql
from infra_fixtures import Infra


@pytest.fixture(scope="module")
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, KEYSPACE)
    yield connected
    await connected.close()


@pytest.fixture(scope="module")
async def outbox_table(session: cassandra.CassandraSession) -> AsyncIterator[str]:
    """A token outbox table for this module's tests alone, dropped afterwards."""
    (schema,) = package_schemas(["csms_authorization"])
    (create,) = [s for s in split_cql(schema.cql) if f"{KEYSPACE}.{OUTBOX_TABLE} (" in s]
    table = f"{OUTBOX_TABLE}_{uuid.uuid4().hex[:12]}"
    await session.execute(create.replace(f"{KEYSPACE}.{OUTBOX_TABLE} (", f"{KEYSPACE}.{table} ("))
    yield table
    await session.execute(f"DROP TABLE IF EXISTS {KEYSPACE}.{table}")
