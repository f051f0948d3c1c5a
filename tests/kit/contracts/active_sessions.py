"""The `ActiveSessions` contract (csms_authorization.adapters.active_sessions), run against the in-memory fake
(unit) and Cassandra (integration): sessions written by the projection (`session_writes`) follow the events in
any order, by event time. A subclass provides the `sessions` fixture and the `writer` of the projection's
writes; tokens are unique per test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from csms.transactions.v1 import transactions_pb2 as tx
from csms_authorization.ports import ActiveSessions
from csms_authorization.projections.active_sessions import session_writes
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Writer

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def a_token() -> str:
    return f"tok-{uuid.uuid4().hex[:8]}"


def event(token: str, transaction_id: str, at: datetime, **oneof: object) -> tx.TransactionEvent:
    return tx.TransactionEvent(
        station_id="CS-1",
        transaction_id=transaction_id,
        occurred_at=timestamp(at),
        session_id_token=tx.IdToken(id_token=token),
        **oneof,  # type: ignore[arg-type]
    )


class ActiveSessionsContract:
    async def test_sessions_follow_the_events_in_any_order(self, sessions: ActiveSessions, writer: Writer) -> None:
        token = a_token()
        key = token.upper()
        started = event(token, "T-1", T0, started=tx.TransactionStarted())
        updated = event(token, "T-1", T0 + timedelta(minutes=1), updated=tx.TransactionUpdated())
        ended = event(token, "T-1", T0 + timedelta(minutes=2), ended=tx.TransactionEnded())
        assert not await sessions.has_active(key)
        await writer.apply(session_writes(started))
        assert await sessions.has_active(key)
        await writer.apply(session_writes(ended))
        assert not await sessions.has_active(key)
        await writer.apply(session_writes(updated))  # late, and older than the end: stays ended
        await writer.apply(session_writes(started))  # replayed
        assert not await sessions.has_active(key)
        second = event(token, "T-2", T0 + timedelta(minutes=3), started=tx.TransactionStarted())
        await writer.apply(session_writes(second))
        assert await sessions.has_active(key)

    async def test_a_token_is_active_until_its_last_transaction_ends(
        self, sessions: ActiveSessions, writer: Writer
    ) -> None:
        token = a_token()
        key = token.upper()
        one = event(token, "T-1", T0, started=tx.TransactionStarted())
        two = event(token, "T-2", T0 + timedelta(minutes=1), started=tx.TransactionStarted())
        await writer.apply([*session_writes(one), *session_writes(two)])
        await writer.apply(session_writes(event(token, "T-2", T0 + timedelta(minutes=2), ended=tx.TransactionEnded())))
        assert await sessions.has_active(key)
        await writer.apply(session_writes(event(token, "T-1", T0 + timedelta(minutes=3), ended=tx.TransactionEnded())))
        assert not await sessions.has_active(key)

    async def test_an_end_at_the_same_moment_as_the_start_wins(self, sessions: ActiveSessions, writer: Writer) -> None:
        token = a_token()
        ended = event(token, "T-1", T0, ended=tx.TransactionEnded())
        await writer.apply(session_writes(ended))
        await writer.apply(session_writes(event(token, "T-1", T0, started=tx.TransactionStarted())))
        assert not await sessions.has_active(token.upper())

    async def test_a_backwards_clock_jump_between_start_and_stop_still_ends_the_session(
        self, sessions: ActiveSessions, writer: Writer
    ) -> None:
        """Finding #8 of the 2026-12 security review: an end dated before its start was shadowed for good."""
        token = a_token()
        await writer.apply(session_writes(event(token, "T-1", T0, started=tx.TransactionStarted())))
        jumped_back = T0 - timedelta(days=400)
        await writer.apply(session_writes(event(token, "T-1", jumped_back, ended=tx.TransactionEnded())))
        assert not await sessions.has_active(token.upper())
        future = datetime(9999, 12, 31, tzinfo=UTC)
        await writer.apply(session_writes(event(token, "T-2", future, started=tx.TransactionStarted())))
        await writer.apply(session_writes(event(token, "T-2", T0, ended=tx.TransactionEnded())))
        assert not await sessions.has_active(token.upper())

    async def test_tokens_are_independent(self, sessions: ActiveSessions, writer: Writer) -> None:
        token, other = a_token(), a_token()
        await writer.apply(session_writes(event(token, "T-1", T0, started=tx.TransactionStarted())))
        assert [await sessions.has_active(token.upper()), await sessions.has_active(other.upper())] == [True, False]
