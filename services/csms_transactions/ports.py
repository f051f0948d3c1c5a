"""The ports of the transactions service: what its handlers and use cases need from the outside, as Protocols.

Implemented by the adapters (Cassandra, gRPC) and by the fakes of the unit tests. No I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Decision, Token


@dataclass(frozen=True)
class Handled:
    message_id: str
    transaction_id: str
    decision: Decision | None


@dataclass(frozen=True)
class TransactionState:
    first_seen_at: datetime
    session_token: Token | None
    ended: bool


class IdsExhaustedError(Exception):
    """No free transaction id found: the id space is (nearly) full, which needs an operator."""


class StateStore(Protocol):
    async def handled_start(self, station_id: str, key: str) -> Handled | None:
        """The outcome of a 1.6 StartTransaction by its natural key."""

    async def record_start(self, station_id: str, key: str, handled: Handled) -> None: ...

    async def allocate_transaction_id(self, station_id: str, message_id: str) -> int:
        """A positive int32 never handed out before (1.6 transactionId)."""

    async def station_of_transaction_id(self, csms_transaction_id: int) -> str | None:
        """The station a 1.6 transaction id was allocated to; None when never allocated."""

    async def transaction(
        self, station_id: str, transaction_id: str, key: str | None = None
    ) -> tuple[TransactionState | None, Handled | None]:
        """The transaction's state and, given a natural key, the outcome of that message about it."""

    async def save_transaction(
        self,
        station_id: str,
        transaction_id: str,
        state: TransactionState | None,
        handled: tuple[str, Handled] | None = None,
    ) -> None:
        """Writes the state and/or the outcome of a message (natural key, outcome) about the transaction, at once."""

    async def open_sessions(self, token_key: str) -> set[tuple[str, str]]:
        """(station id, transaction id) of the token's active transactions."""

    async def open_session(self, token_key: str, station_id: str, transaction_id: str) -> None: ...

    async def close_session(self, token_key: str, station_id: str, transaction_id: str) -> None: ...


class Authorizer(Protocol):
    async def authorize(
        self, station_id: str, token: Token, version: OcppVersion, at: datetime, evse_id: int | None = None
    ) -> Decision:
        """The decision at CSMS time `at`, in the terms of `version`. Raises RetryableError when unavailable."""


@dataclass(frozen=True)
class TransactionQuery:
    station_id: str = ""
    id_token: str = ""
    since: datetime | None = None
    until: datetime | None = None
    active_only: bool = False

    @property
    def index(self) -> str:
        if self.station_id:
            return "station"
        if self.id_token:
            return "token"
        if self.active_only and self.since is None and self.until is None:
            return "active"
        return "day"

    def matches(self, transaction: transactions_pb2.Transaction) -> bool:
        first_seen_at = to_datetime(transaction.first_seen_at)
        return (
            (not self.active_only or transaction.state == transactions_pb2.TRANSACTION_STATE_ACTIVE)
            and (not self.id_token or transaction.id_token.id_token.upper() == self.id_token.upper())
            and (self.since is None or first_seen_at >= self.since)
            and (self.until is None or first_seen_at < self.until)
        )


class TransactionsRepository(Protocol):
    async def stations_with(self, transaction_id: str) -> list[str]:
        """The stations that have a transaction with this id (usually one)."""

    async def transaction(self, station_id: str, transaction_id: str) -> transactions_pb2.Transaction | None: ...

    async def samples(self, station_id: str, transaction_id: str) -> list[transactions_pb2.SampledValue]: ...

    async def transactions(
        self, query: TransactionQuery, page_size: int, page_token: str
    ) -> tuple[list[transactions_pb2.Transaction], str]:
        """One page, newest first (by station and transaction id for the active index), and the next page's
        token ("" on the last page). Raises ValueError for a page token this service did not issue."""
