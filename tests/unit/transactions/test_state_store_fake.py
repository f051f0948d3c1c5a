"""The in-memory `StateStore` keeps the contract the Cassandra store keeps."""

from __future__ import annotations

import pytest

from kit.contracts.state_store import StateStoreContract
from kit.fakes.transactions import InMemoryStateStore


class TestInMemoryStateStore(StateStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryStateStore:
        return InMemoryStateStore()
