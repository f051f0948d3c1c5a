"""Fixtures of every integration test: a Cassandra session on no keyspace (tables are named in full); the
authorization tests replace it with one on their keyspace. `infra` comes from tests/infra_fixtures.py."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from csms_kernel.infra import cassandra
from infra_fixtures import Infra


@pytest.fixture(scope="module")
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, None)
    yield connected
    await connected.close()
