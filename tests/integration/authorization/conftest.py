"""Fixtures for the authorization integration tests: a Cassandra session on the authorization keyspace.

Tables are shared with other tests running at the same time (e2e stacks included): tests use keys of their own
and never truncate."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authorization.store import KEYSPACE
from csms import cassandra
from infra_fixtures import Infra


@pytest.fixture(scope="module")
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, KEYSPACE)
    yield connected
    await connected.close()
