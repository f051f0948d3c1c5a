"""The key store contract against the in-memory fake (the same suite runs against Cassandra in integration)."""

from __future__ import annotations

import pytest

from kit.contracts.api_key_store import ApiKeyStoreContract
from kit.fakes.api import InMemoryApiKeyStore


class TestInMemoryApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryApiKeyStore:
        return InMemoryApiKeyStore()
