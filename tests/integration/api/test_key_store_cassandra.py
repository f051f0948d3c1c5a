"""The key store contract (kit/contracts/api_key_store.py) against the real Cassandra (`csms_api.api_keys`, made
by the migration)."""

from __future__ import annotations

import pytest

from csms_api.adapters.key_store import CassandraApiKeyStore
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.api_key_store import ApiKeyStoreContract

pytestmark = pytest.mark.integration


class TestCassandraApiKeyStore(ApiKeyStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession) -> CassandraApiKeyStore:
        return CassandraApiKeyStore(session)
