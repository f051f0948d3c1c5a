"""The registry contract (kit/contracts/registry.py) against the real Cassandra."""

from __future__ import annotations

import pytest

from csms_authorization.adapters.registry import CassandraStationRegistry
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.registry import StationRegistryContract, run

pytestmark = pytest.mark.integration


__all__ = ["run"]


class TestCassandraStationRegistry(StationRegistryContract):
    @pytest.fixture
    def registry(self, session: CassandraSession) -> CassandraStationRegistry:
        return CassandraStationRegistry(session)
