"""Fixtures of the kernel integration tests: a Cassandra session on no keyspace (tables are named in full)."""

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
