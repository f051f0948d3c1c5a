"""Active sessions in the real Cassandra: starts and ends in any order converge by event time."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.projections.active_sessions import CassandraActiveSessions, session_writes
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def event(token: str, transaction_id: str, at: datetime, **oneof: object) -> tx.TransactionEvent:
    return tx.TransactionEvent(
        station_id="CS-1",
        transaction_id=transaction_id,
        occurred_at=timestamp(at),
        session_id_token=tx.IdToken(id_token=token),
        **oneof,  # type: ignore[arg-type]
    )


async def test_sessions_follow_the_events_in_any_order(session: CassandraSession) -> None:
    sessions = CassandraActiveSessions(session)
    token = f"tok-{uuid.uuid4().hex[:8]}"
    key = token.upper()
    started = event(token, "T-1", T0, started=tx.TransactionStarted())
    updated = event(token, "T-1", T0 + timedelta(minutes=1), updated=tx.TransactionUpdated())
    ended = event(token, "T-1", T0 + timedelta(minutes=2), ended=tx.TransactionEnded())
    assert not await sessions.has_active(key)
    await sessions.apply(session_writes(started))
    assert await sessions.has_active(key)
    await sessions.apply(session_writes(ended))
    assert not await sessions.has_active(key)
    await sessions.apply(session_writes(updated))  # late, and older than the end: stays ended
    await sessions.apply(session_writes(started))  # replayed
    assert not await sessions.has_active(key)
    second = event(token, "T-2", T0 + timedelta(minutes=3), started=tx.TransactionStarted())
    await sessions.apply(session_writes(second))
    assert await sessions.has_active(key)
