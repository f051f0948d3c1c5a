"""The contract every `StateStore` keeps (the in-memory fake and the Cassandra store run the same tests)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from csms_transactions.adapters.state_store import MAX_INT32
from csms_transactions.domain.tokens import Decision, Token
from csms_transactions.ports import Handled, StateStore, TransactionState

AT = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class StateStoreContract:
    """Subclasses provide the `store` fixture."""

    async def test_outcomes_of_starts_by_natural_key(self, store: StateStore) -> None:
        station = unique("CS")
        decision = Decision("Blocked", datetime(2027, 1, 1, tzinfo=UTC), Token("GROUP", "Central"))
        assert await store.handled_start(station, "start/1/t/TAG") is None
        await store.record_start(station, "start/1/t/TAG", Handled("m1", "1", decision))
        await store.record_start(station, "start/1/t/TAG-2", Handled("m2", "2", Decision("Accepted")))
        assert await store.handled_start(station, "start/1/t/TAG") == Handled("m1", "1", decision)
        assert await store.handled_start(station, "start/1/t/TAG-2") == Handled("m2", "2", Decision("Accepted"))
        assert await store.handled_start(unique("CS"), "start/1/t/TAG") is None

    async def test_allocated_ids_are_distinct_positive_int32_and_remember_their_station(
        self, store: StateStore
    ) -> None:
        station = unique("CS")
        ids = [await store.allocate_transaction_id(station, f"m{i}") for i in range(20)]
        assert len(set(ids)) == 20 and all(0 < i <= MAX_INT32 for i in ids)
        assert {await store.station_of_transaction_id(i) for i in ids} == {station}

    async def test_transaction_state_round_trip(self, store: StateStore) -> None:
        station, transaction = unique("CS"), unique("tx")
        assert await store.transaction(station, transaction) == (None, None)
        state = TransactionState(AT, Token("TAG", "ISO14443"), ended=False)
        await store.save_transaction(station, transaction, state)
        assert await store.transaction(station, transaction) == (state, None)
        ended = TransactionState(AT, None, ended=True)
        await store.save_transaction(station, transaction, ended)
        assert await store.transaction(station, transaction) == (ended, None)

    async def test_outcomes_of_messages_about_a_transaction_are_read_with_its_state(self, store: StateStore) -> None:
        station, transaction = unique("CS"), unique("tx")
        decision = Decision("Blocked", datetime(2027, 1, 1, tzinfo=UTC), Token("GROUP", "Central"))
        stopped = Handled("m1", transaction, decision)
        await store.save_transaction(station, transaction, None, (f"stop/{transaction}", stopped))
        assert await store.transaction(station, transaction, f"stop/{transaction}") == (None, stopped)
        state = TransactionState(AT, None, ended=True)
        updated = Handled("m2", transaction, None)
        await store.save_transaction(station, transaction, state, (f"event/{transaction}/1", updated))
        assert await store.transaction(station, transaction, f"event/{transaction}/1") == (state, updated)
        assert await store.transaction(station, transaction, f"stop/{transaction}") == (state, stopped)
        assert await store.transaction(station, transaction, f"event/{transaction}/2") == (state, None)
        assert await store.transaction(station, transaction) == (state, None)
        assert await store.transaction(unique("CS"), transaction, f"stop/{transaction}") == (None, None)

    async def test_an_outcome_written_again_replaces_the_whole_outcome(self, store: StateStore) -> None:
        station, transaction, key = unique("CS"), unique("tx"), "event/tx/0"
        first = Handled("m1", transaction, Decision("Accepted", AT, Token("GROUP", "Central")))
        await store.save_transaction(station, transaction, None, (key, first))
        again = Handled("m2", transaction, None)
        await store.save_transaction(station, transaction, None, (key, again))
        assert await store.transaction(station, transaction, key) == (None, again)

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
