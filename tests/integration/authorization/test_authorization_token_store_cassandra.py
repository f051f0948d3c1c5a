"""The token store and local list store contracts (tests/unit/authorization/token_store_contract.py) against
the real Cassandra. Keys are unique per test and each test has a list of its own, so nothing is truncated."""

from __future__ import annotations

import uuid

import pytest

from authorization.local_list_store import CassandraLocalListStore
from authorization.token_store import CassandraTokenStore
from csms.cassandra import CassandraSession
from unit.authorization.token_store_contract import LocalListStoreContract, TokenStoreContract, prefix

pytestmark = pytest.mark.integration

__all__ = ["prefix"]


class TestCassandraTokenStore(TokenStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession) -> CassandraTokenStore:
        return CassandraTokenStore(session)


class TestCassandraLocalListStore(LocalListStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession) -> CassandraLocalListStore:
        return CassandraLocalListStore(session, f"test-{uuid.uuid4().hex}")
