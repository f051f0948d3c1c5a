"""The in-memory `StateStore` keeps the contract the Cassandra store keeps."""

from __future__ import annotations

import pytest

from unit.transactions.fakes import InMemoryStateStore
from unit.transactions.state_contract import StateStoreContract


class TestInMemoryStateStore(StateStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStateStore:
        return InMemoryStateStore()
