"""The smart-charging integration tests' scratch keyspace: the service's schema.cql in a keyspace of their own
(module scope), dropped afterwards."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from csms_kernel.infra.cassandra import CassandraSession
from csms_smart_charging.projections.tables import KEYSPACE
from kit import scratch_keyspace


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    async with scratch_keyspace.service_keyspace(session, "csms_smart_charging", KEYSPACE) as name:
        yield name
