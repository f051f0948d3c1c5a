"""The in-memory `Lease` keeps the contract the Cassandra lease keeps."""

from __future__ import annotations

import pytest

from kit.contracts.lease import LeaseContract, MakeLease
from kit.fakes.outbox import InMemoryLeases


class TestInMemoryLease(LeaseContract):
    @pytest.fixture
    def make_lease(self) -> MakeLease:
        return InMemoryLeases().lease
