"""The Cassandra `Lease` keeps the lease contract (kit/contracts/lease.py), and a lease its owner stops renewing
expires."""

from __future__ import annotations

import uuid

import pytest

from csms_authorization.adapters.store import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.outbox.lease import CassandraLease
from kit.contracts.lease import LeaseContract, MakeLease
from kit.waiting import eventually

pytestmark = pytest.mark.integration


class TestCassandraLease(LeaseContract):
    @pytest.fixture
    def make_lease(self, session: CassandraSession) -> MakeLease:
        return lambda name, owner: CassandraLease(session, KEYSPACE, name, owner, 30)


async def test_a_lease_expires_when_not_renewed(session: CassandraSession) -> None:
    name = f"it-lease-{uuid.uuid4().hex[:8]}"
    assert await CassandraLease(session, KEYSPACE, name, "gone", 1).acquire()
    other = CassandraLease(session, KEYSPACE, name, "other", 30)
    await eventually(other.acquire, bool, timeout_s=10, what="the lease to expire and be taken")
    await other.release()
