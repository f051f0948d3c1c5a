"""The Cassandra `CommandStore` keeps the contract (kit/contracts/command_store.py) on the migrated schema:
lightweight transactions on the record, the indexes after it."""

from __future__ import annotations

import pytest

from csms_device_model.adapters.command_store import CassandraCommandStore, CommandTables
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.command_store import CommandStoreContract

pytestmark = pytest.mark.integration


class TestCassandraCommandStore(CommandStoreContract):
    @pytest.fixture
    def store(self, session: CassandraSession, command_tables: CommandTables) -> CassandraCommandStore:
        return CassandraCommandStore(session, command_tables)
