"""The registry contract (kit/contracts/registry.py) against the real Cassandra, with a station outbox table of
the module's own."""

from __future__ import annotations

import pytest

from csms_authorization.adapters.outbox import STATION_KEY, CassandraOutbox
from csms_authorization.adapters.registry import CassandraStationRegistry
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.registry import StationRegistryContract, run

pytestmark = pytest.mark.integration


__all__ = ["run"]


class TestCassandraStationRegistry(StationRegistryContract):
    @pytest.fixture
    def outbox(self, session: CassandraSession, station_outbox_table: str) -> CassandraOutbox:
        return CassandraOutbox(session, station_outbox_table, STATION_KEY)

    @pytest.fixture
    def registry(self, session: CassandraSession, station_outbox_table: str) -> CassandraStationRegistry:
        return CassandraStationRegistry(session, station_outbox_table)
