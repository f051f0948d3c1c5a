"""The token store, outbox and local list store contracts (kit/contracts/) against the real Cassandra. Keys are
unique per test, each test has a list of its own and the module an outbox table of its own, so nothing is
truncated."""

from __future__ import annotations

import uuid

import pytest

from csms_authorization.adapters.local_list_store import CassandraLocalListStore
from csms_authorization.adapters.outbox import CassandraOutbox
from csms_authorization.adapters.token_store import CassandraTokenStore
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.local_list_store import LocalListStoreContract
from kit.contracts.outbox import OutboxContract
from kit.contracts.token_store import TokenStoreContract, prefix

pytestmark = pytest.mark.integration

__all__ = ["prefix"]


class TestCassandraTokenStore(TokenStoreContract, OutboxContract):
    @pytest.fixture
    def store(self, session: CassandraSession, outbox_table: str) -> CassandraTokenStore:
        return CassandraTokenStore(session, outbox_table)

    @pytest.fixture
    def outbox(self, session: CassandraSession, outbox_table: str) -> CassandraOutbox:
        return CassandraOutbox(session, outbox_table)


class TestCassandraLocalListStore(LocalListStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession) -> CassandraLocalListStore:
        return CassandraLocalListStore(session, f"test-{uuid.uuid4().hex}")
