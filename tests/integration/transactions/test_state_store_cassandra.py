"""The Cassandra `StateStore` keeps the write-model contract (real Cassandra, migrated schema)."""

from __future__ import annotations

import pytest

from csms.cassandra import CassandraSession
from transactions.state import CassandraStateStore
from unit.transactions.state_contract import StateStoreContract


class TestCassandraStateStore(StateStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession) -> CassandraStateStore:
        return CassandraStateStore(session)
