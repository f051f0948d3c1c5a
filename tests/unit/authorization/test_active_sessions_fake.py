"""The in-memory `ActiveSessions` keeps the contract the Cassandra table keeps."""

from __future__ import annotations

import pytest

from kit.contracts.active_sessions import ActiveSessionsContract
from kit.fakes.authorization import InMemoryActiveSessions


class TestInMemoryActiveSessions(ActiveSessionsContract):
    @pytest.fixture
    def sessions(self) -> InMemoryActiveSessions:
        return InMemoryActiveSessions()

    @pytest.fixture
    def writer(self, sessions: InMemoryActiveSessions) -> InMemoryActiveSessions:
        return sessions
