"""The Cassandra `AnsweredCalls` keeps the contract (kit/contracts/answered_calls.py) on the `answered_calls`
table of every service that runs CALL handlers (migrated schema)."""

from __future__ import annotations

import pytest

from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.infra.cassandra import CassandraSession
from kit.contracts.answered_calls import AnsweredCallsContract

pytestmark = pytest.mark.integration


class TestCassandraAnsweredCalls(AnsweredCallsContract):
    @pytest.fixture(params=["csms_authorization", "csms_device_model", "csms_transactions"])
    def answered(self, session: CassandraSession, request: pytest.FixtureRequest) -> CassandraAnsweredCalls:
        return CassandraAnsweredCalls(session, f"{request.param}.answered_calls")
