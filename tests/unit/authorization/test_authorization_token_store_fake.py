"""The token store, outbox and local list store contracts against the in-memory fakes (Cassandra:
integration)."""

from __future__ import annotations

import pytest

from unit.authorization.fakes import InMemoryLocalListStore, InMemoryOutbox, InMemoryTokenStore
from unit.authorization.token_store_contract import (
    LocalListStoreContract,
    OutboxContract,
    TokenStoreContract,
    prefix,
)

__all__ = ["prefix"]


class TestInMemoryTokenStore(TokenStoreContract, OutboxContract):
    @pytest.fixture
    def store(self) -> InMemoryTokenStore:
        return InMemoryTokenStore()

    @pytest.fixture
    def outbox(self, store: InMemoryTokenStore) -> InMemoryOutbox:
        return store.outbox


class TestInMemoryLocalListStore(LocalListStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryLocalListStore:
        return InMemoryLocalListStore()
