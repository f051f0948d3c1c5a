"""The in-memory `TransactionsRepository` keeps the contract the Cassandra repository keeps."""

from __future__ import annotations

import pytest

from kit.contracts.transactions_repository import TransactionsRepositoryContract
from kit.fakes.transactions import InMemoryTransactionsRepository


class TestInMemoryTransactionsRepository(TransactionsRepositoryContract):
    @pytest.fixture
    def repository(self) -> InMemoryTransactionsRepository:
        return InMemoryTransactionsRepository()
