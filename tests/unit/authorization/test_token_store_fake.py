"""The token store, outbox and local list store contracts against the in-memory fakes (Cassandra:
integration)."""

from __future__ import annotations

import pytest

from kit.contracts.local_list_store import LocalListStoreContract
from kit.contracts.outbox import OutboxContract
from kit.contracts.token_store import TokenStoreContract, prefix
from kit.fakes.authorization import InMemoryLocalListStore, InMemoryOutbox, InMemoryTokenStore

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
