"""The in-memory command store keeps the contract the Cassandra store keeps."""

from __future__ import annotations

import pytest

from kit.contracts.command_store import CommandStoreContract
from kit.fakes.device_model import InMemoryCommandStore


class TestInMemoryCommandStore(CommandStoreContract):
    @pytest.fixture
    def store(self) -> InMemoryCommandStore:
        return InMemoryCommandStore()
