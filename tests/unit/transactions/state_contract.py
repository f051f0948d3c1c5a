"""The contract every `StateStore` keeps (the in-memory fake and the Cassandra store run the same tests)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from transactions.state import MAX_INT32, Handled, StateStore, TransactionState
from transactions.tokens import Decision, Token

AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class StateStoreContract:
    """Subclasses provide the `store` fixture."""

    async def test_handled_messages_round_trip(self, store: StateStore) -> None:
        station = unique("CS")
        decision = Decision("Blocked", datetime(2027, 1, 1, tzinfo=UTC), Token("GROUP", "Central"))
        assert await store.handled(station, "stop/1") is None
        await store.record_handled(station, "stop/1", Handled("m1", "1", decision))
        await store.record_handled(station, "event/tx/0", Handled("m2", "tx", None))
        assert await store.handled(station, "stop/1") == Handled("m1", "1", decision)
        assert await store.handled(station, "event/tx/0") == Handled("m2", "tx", None)
        assert await store.handled(unique("CS"), "stop/1") is None

    async def test_allocated_ids_are_distinct_positive_int32_and_remember_their_station(
        self, store: StateStore
    ) -> None:
        station = unique("CS")
        ids = [await store.allocate_transaction_id(station, f"m{i}") for i in range(20)]
        assert len(set(ids)) == 20 and all(0 < i <= MAX_INT32 for i in ids)
        assert {await store.station_of_transaction_id(i) for i in ids} == {station}

    async def test_transaction_state_round_trip(self, store: StateStore) -> None:
        station, transaction = unique("CS"), unique("tx")
        assert await store.transaction(station, transaction) is None
        state = TransactionState(AT, Token("TAG", "ISO14443"), ended=False)
        await store.save_transaction(station, transaction, state)
        assert await store.transaction(station, transaction) == state
        ended = TransactionState(AT, None, ended=True)
        await store.save_transaction(station, transaction, ended)
        assert await store.transaction(station, transaction) == ended

    async def test_open_sessions_per_token(self, store: StateStore) -> None:
        token, station = unique("TAG").upper(), unique("CS")
        await store.open_session(token, station, "1")
        await store.open_session(token, station, "2")
        await store.open_session(token, station, "2")
        assert await store.open_sessions(token) == {(station, "1"), (station, "2")}
        await store.close_session(token, station, "1")
        await store.close_session(token, station, "9")
        assert await store.open_sessions(token) == {(station, "2")}
        assert await store.open_sessions(unique("TAG")) == set()
