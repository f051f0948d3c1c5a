"""Fixtures for the transactions integration tests: the real Kafka/Cassandra (`infra`) and a Cassandra session."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from csms_kernel.infra import cassandra
from infra_fixtures import Infra

__all__ = ["Infra", "session"]


@pytest.fixture(scope="module")
async def session(infra: Infra) -> AsyncIterator[cassandra.CassandraSession]:
    connected = await cassandra.connect(infra.cassandra_contact_points, infra.cassandra_port, infra.local_dc, None)
    yield connected
    await connected.close()
