"""The Cassandra `TransactionsRepository` keeps the contract (kit/contracts/transactions_repository.py) on the
migrated schema."""

from __future__ import annotations

import pytest

from csms_kernel.infra.cassandra import CassandraSession
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from kit.contracts.transactions_repository import TransactionsRepositoryContract

pytestmark = pytest.mark.integration


class TestCassandraTransactionsRepository(TransactionsRepositoryContract):
    @pytest.fixture
    def repository(self, session: CassandraSession) -> CassandraTransactionsRepository:
        return CassandraTransactionsRepository(session)
