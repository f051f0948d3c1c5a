"""Active sessions in the real Cassandra keep the contract (kit/contracts/active_sessions.py): starts and ends
in any order converge by event time."""

from __future__ import annotations

import pytest

from csms_authorization.adapters.active_sessions import CassandraActiveSessions
from csms_authorization.projections.active_sessions import PROJECTION
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.projecting.writes import CassandraWriter
from kit.contracts.active_sessions import ActiveSessionsContract

pytestmark = pytest.mark.integration


class TestCassandraActiveSessions(ActiveSessionsContract):
    @pytest.fixture
    def sessions(self, session: CassandraSession) -> CassandraActiveSessions:
        return CassandraActiveSessions(session)

    @pytest.fixture
    def writer(self, session: CassandraSession) -> CassandraWriter:
        return CassandraWriter(session, PROJECTION.keyspace)
