"""The registry contract against the in-memory fake (the same suite runs against Cassandra in integration)."""

from __future__ import annotations

import pytest

from unit.authorization.fakes import InMemoryStationRegistry
from unit.authorization.registry_contract import StationRegistryContract, run

__all__ = ["run"]


class TestInMemoryStationRegistry(StationRegistryContract):
    @pytest.fixture
    def registry(self) -> InMemoryStationRegistry:
        return InMemoryStationRegistry()
