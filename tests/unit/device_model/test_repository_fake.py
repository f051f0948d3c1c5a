"""The in-memory `StationsRepository` keeps the contract the Cassandra repository keeps."""

from __future__ import annotations

import pytest

from kit.contracts.stations_repository import StationsRepositoryContract
from kit.fakes.device_model import InMemoryStationsRepository


class TestInMemoryStationsRepository(StationsRepositoryContract):
    @pytest.fixture
    def repository(self) -> InMemoryStationsRepository:
        return InMemoryStationsRepository()
