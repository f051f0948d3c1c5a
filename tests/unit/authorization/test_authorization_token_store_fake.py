"""The token store and local list store contracts against the in-memory fakes (Cassandra: integration)."""

from __future__ import annotations

import pytest

from unit.authorization.fakes import InMemoryLocalListStore, InMemoryTokenStore
from unit.authorization.token_store_contract import LocalListStoreContract, TokenStoreContract, prefix

__all__ = ["prefix"]


class TestInMemoryTokenStore(TokenStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryTokenStore:
        return InMemoryTokenStore()


class TestInMemoryLocalListStore(LocalListStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryLocalListStore:
        return InMemoryLocalListStore()
