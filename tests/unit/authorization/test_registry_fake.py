"""The registry contract against the in-memory fake (the same suite runs against Cassandra in integration)."""

from __future__ import annotations

import pytest

from kit.contracts.registry import StationRegistryContract, run
from kit.fakes.authorization import InMemoryOutbox, InMemoryStationRegistry

__all__ = ["run"]


class TestInMemoryStationRegistry(StationRegistryContract):
    @pytest.fixture
    def outbox(self) -> InMemoryOutbox:
        return InMemoryOutbox()

    @pytest.fixture
    def registry(self, outbox: InMemoryOutbox) -> InMemoryStationRegistry:
        return InMemoryStationRegistry(outbox)
