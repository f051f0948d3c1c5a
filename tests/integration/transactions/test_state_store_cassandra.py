"""The Cassandra `StateStore` keeps the write-model contract (real Cassandra, migrated schema)."""

from __future__ import annotations

import pytest

from csms_kernel.infra.cassandra import CassandraSession
from csms_transactions.adapters.state_store import CassandraStateStore
from kit.contracts.state_store import StateStoreContract


class TestCassandraStateStore(StateStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession) -> CassandraStateStore:
        return CassandraStateStore(session)
