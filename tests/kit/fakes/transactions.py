"""In-memory fakes of the transactions ports, for unit tests."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from csms.transactions.v1 import transactions_pb2
from csms_kernel.ocpp.errors import RetryableError
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision, Token
from csms_transactions.ports import Handled, IdsExhaustedError, TransactionQuery, TransactionState


@dataclass
class InMemoryStateStore:
    """`ids` yields the candidates the store tries, in order (the Cassandra store draws them at random)."""

    ids: Iterator[int] = field(default_factory=lambda: itertools.count(1001))
    # Outcomes of 1.6 starts by (station, natural key); of other messages by (station, transaction, natural key).
    handled_messages: dict[tuple[str, str], Handled] = field(default_factory=dict)
    steps: dict[tuple[str, str, str], Handled] = field(default_factory=dict)
    allocated: dict[int, tuple[str, str]] = field(default_factory=dict)
    states: dict[tuple[str, str], TransactionState] = field(default_factory=dict)
    sessions: set[tuple[str, str, str]] = field(default_factory=set)
    attempts: int = 20

    async def handled_start(self, station_id: str, key: str) -> Handled | None:
        return self.handled_messages.get((station_id, key))

    async def record_start(self, station_id: str, key: str, handled: Handled) -> None:
        self.handled_messages[(station_id, key)] = handled

    async def allocate_transaction_id(self, station_id: str, message_id: str) -> int:
        for _, candidate in zip(range(self.attempts), self.ids, strict=False):
            if candidate not in self.allocated:
                self.allocated[candidate] = (station_id, message_id)
                return candidate
        raise IdsExhaustedError("no free transaction id")

    async def station_of_transaction_id(self, csms_transaction_id: int) -> str | None:
        allocated = self.allocated.get(csms_transaction_id)
        return allocated[0] if allocated else None

    async def transaction(
        self, station_id: str, transaction_id: str, key: str | None = None
    ) -> tuple[TransactionState | None, Handled | None]:
        handled = self.steps.get((station_id, transaction_id, key)) if key is not None else None
        return self.states.get((station_id, transaction_id)), handled

    async def save_transaction(
        self,
        station_id: str,
        transaction_id: str,
        state: TransactionState | None,
        handled: tuple[str, Handled] | None = None,
    ) -> None:
        if state is not None:
            self.states[(station_id, transaction_id)] = state
        if handled is not None:
            key, outcome = handled
            assert outcome.transaction_id == transaction_id
            self.steps[(station_id, transaction_id, key)] = outcome

    async def open_sessions(self, token_key: str) -> set[tuple[str, str]]:
        return {(station, transaction) for key, station, transaction in self.sessions if key == token_key}

    async def open_session(self, token_key: str, station_id: str, transaction_id: str) -> None:
        self.sessions.add((token_key, station_id, transaction_id))

    async def close_session(self, token_key: str, station_id: str, transaction_id: str) -> None:
        self.sessions.discard((token_key, station_id, transaction_id))


@dataclass
class ScriptedAuthorizer:
    """Decisions by token key; unknown tokens get `unknown`. `down` makes every call fail as unavailable."""

    decisions: dict[str, Decision] = field(default_factory=dict)
    unknown: Decision = field(default_factory=lambda: Decision("Invalid"))
    down: bool = False
    calls: list[tuple[str, Token, OcppVersion, datetime, int | None]] = field(default_factory=list)

    async def authorize(
        self, station_id: str, token: Token, version: OcppVersion, at: datetime, evse_id: int | None = None
    ) -> Decision:
        self.calls.append((station_id, token, version, at, evse_id))
        if self.down:
            raise RetryableError("authorization unavailable")
        return self.decisions.get(token.key, self.unknown)


@dataclass
class InMemoryTransactionsRepository:
    """Canned read models: transactions by (station, id), samples, one listing page."""

    rows: dict[tuple[str, str], transactions_pb2.Transaction] = field(default_factory=dict)
    sample_rows: dict[tuple[str, str], list[transactions_pb2.SampledValue]] = field(default_factory=dict)
    queries: list[tuple[TransactionQuery, int, str]] = field(default_factory=list)
    next_token: str = ""

    async def stations_with(self, transaction_id: str) -> list[str]:
        return sorted(station for station, transaction in self.rows if transaction == transaction_id)

    async def transaction(self, station_id: str, transaction_id: str) -> transactions_pb2.Transaction | None:
        return self.rows.get((station_id, transaction_id))

    async def samples(self, station_id: str, transaction_id: str) -> list[transactions_pb2.SampledValue]:
        return self.sample_rows.get((station_id, transaction_id), [])

    async def transactions(
        self, query: TransactionQuery, page_size: int, page_token: str
    ) -> tuple[list[transactions_pb2.Transaction], str]:
        if page_token not in ("", self.next_token):
            raise ValueError("invalid page token")
        self.queries.append((query, page_size, page_token))
        return [t for t in self.rows.values() if query.matches(t)][:page_size], self.next_token
