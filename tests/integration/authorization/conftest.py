"""Fixtures for the authorization integration tests: a Cassandra session and an emptied stations table."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authorization.registry import KEYSPACE
from csms import cassandra
from infra_fixtures import Infra


@pytest.fixture(scope="module")
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, KEYSPACE)
    yield connected
    await connected.close()


@pytest.fixture
async def empty_stations(session: cassandra.CassandraSession) -> cassandra.CassandraSession:
    """The session, after every registered station has been deleted."""
    await session.execute(f"TRUNCATE {KEYSPACE}.stations", idempotent=True)
    return session
