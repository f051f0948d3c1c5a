"""The Cassandra `StationsRepository` keeps the contract (kit/contracts/stations_repository.py) on the migrated
schema."""

from __future__ import annotations

import pytest

from csms_device_model.adapters.repository import CassandraStationsRepository
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.stations_repository import StationsRepositoryContract

pytestmark = pytest.mark.integration


class TestCassandraStationsRepository(StationsRepositoryContract):
    @pytest.fixture
    def repository(self, session: CassandraSession) -> CassandraStationsRepository:
        return CassandraStationsRepository(session)
