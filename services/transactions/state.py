"""The transactions write model: what a handler must know to answer a station, read-your-writes in Cassandra.

- `handled_messages`: the outcome of a station message by its natural key (1.6 start: connector, timestamp, idTag;
  1.6 stop: transaction id; 2.x: transaction id + seqNo): the transaction id and authorization decision
  answered, so a redelivered or duplicated frame gets the same answer.
- `transaction_ids`: 1.6 transaction ids, allocated at random with a lightweight transaction, never reused.
- `transaction_state`: per transaction, when the CSMS first heard of it, its session token and whether it ended.
- `open_sessions`: the active transactions of each token (ConcurrentTx).

Port `StateStore` and its Cassandra implementation (LOCAL_QUORUM); the fake lives in the unit tests.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from csms.cassandra import CassandraSession, Row
from transactions.tokens import Decision, Token

MAX_INT32 = 2**31 - 1


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
    async def handled(self, station_id: str, key: str) -> Handled | None: ...

    async def record_handled(self, station_id: str, key: str, handled: Handled) -> None: ...

    async def allocate_transaction_id(self, station_id: str, message_id: str) -> int:
        """A positive int32 never handed out before (1.6 transactionId)."""

    async def station_of_transaction_id(self, csms_transaction_id: int) -> str | None:
        """The station a 1.6 transaction id was allocated to; None when never allocated."""

    async def transaction(self, station_id: str, transaction_id: str) -> TransactionState | None: ...

    async def save_transaction(self, station_id: str, transaction_id: str, state: TransactionState) -> None: ...

    async def open_sessions(self, token_key: str) -> set[tuple[str, str]]:
        """(station id, transaction id) of the token's active transactions."""

    async def open_session(self, token_key: str, station_id: str, transaction_id: str) -> None: ...

    async def close_session(self, token_key: str, station_id: str, transaction_id: str) -> None: ...


_HANDLED = (
    "SELECT message_id, transaction_id, status, expiry, group_id_token, group_token_type"
    " FROM csms_transactions.handled_messages WHERE station_id = ? AND natural_key = ?"
)
_RECORD_HANDLED = (
    "INSERT INTO csms_transactions.handled_messages (station_id, natural_key, message_id, transaction_id, status,"
    " expiry, group_id_token, group_token_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_ALLOCATE = (
    "INSERT INTO csms_transactions.transaction_ids (csms_transaction_id, station_id, message_id) VALUES (?, ?, ?)"
    " IF NOT EXISTS"
)
_ALLOCATED = "SELECT station_id FROM csms_transactions.transaction_ids WHERE csms_transaction_id = ?"
_TRANSACTION = (
    "SELECT first_seen_at, id_token, token_type, ended FROM csms_transactions.transaction_state"
    " WHERE station_id = ? AND transaction_id = ?"
)
_SAVE_TRANSACTION = (
    "INSERT INTO csms_transactions.transaction_state (station_id, transaction_id, first_seen_at, id_token,"
    " token_type, ended) VALUES (?, ?, ?, ?, ?, ?)"
)
_OPEN_SESSIONS = "SELECT station_id, transaction_id FROM csms_transactions.open_sessions WHERE id_token = ?"
_OPEN_SESSION = "INSERT INTO csms_transactions.open_sessions (id_token, station_id, transaction_id) VALUES (?, ?, ?)"
_CLOSE_SESSION = (
    "DELETE FROM csms_transactions.open_sessions WHERE id_token = ? AND station_id = ? AND transaction_id = ?"
)


class CassandraStateStore:
    def __init__(self, session: CassandraSession, allocation_attempts: int = 20) -> None:
        self._session = session
        self._attempts = allocation_attempts

    async def handled(self, station_id: str, key: str) -> Handled | None:
        rows = await self._run(_HANDLED, (station_id, key))
        if not rows:
            return None
        row = rows[0]
        decision = None
        if row["status"] is not None:
            group = Token(row["group_id_token"], row["group_token_type"] or "") if row["group_id_token"] else None
            expiry = row["expiry"].replace(tzinfo=UTC) if row["expiry"] is not None else None
            decision = Decision(row["status"], expiry, group)
        return Handled(row["message_id"], row["transaction_id"], decision)

    async def record_handled(self, station_id: str, key: str, handled: Handled) -> None:
        decision = handled.decision
        group = decision.group if decision else None
        await self._run(
            _RECORD_HANDLED,
            (
                station_id,
                key,
                handled.message_id,
                handled.transaction_id,
                decision.status if decision else None,
                decision.expiry if decision else None,
                group.id_token if group else None,
                group.type if group else None,
            ),
        )

    async def allocate_transaction_id(self, station_id: str, message_id: str) -> int:
        # Not idempotent: a retried LWT could report its own earlier success as a conflict, which only costs
        # one id, never hands one out twice.
        statement = await self._session.prepare(_ALLOCATE, idempotent=False)
        for _ in range(self._attempts):
            candidate = 1 + secrets.randbelow(MAX_INT32)
            rows = await self._session.execute(statement, (candidate, station_id, message_id))
            if rows and rows[0]["[applied]"]:
                return candidate
        raise IdsExhaustedError(f"no free transaction id after {self._attempts} attempts")

    async def station_of_transaction_id(self, csms_transaction_id: int) -> str | None:
        rows = await self._run(_ALLOCATED, (csms_transaction_id,))
        return str(rows[0]["station_id"]) if rows else None

    async def transaction(self, station_id: str, transaction_id: str) -> TransactionState | None:
        rows = await self._run(_TRANSACTION, (station_id, transaction_id))
        if not rows:
            return None
        row = rows[0]
        token = Token(row["id_token"], row["token_type"] or "") if row["id_token"] is not None else None
        return TransactionState(row["first_seen_at"].replace(tzinfo=UTC), token, bool(row["ended"]))

    async def save_transaction(self, station_id: str, transaction_id: str, state: TransactionState) -> None:
        token = state.session_token
        await self._run(
            _SAVE_TRANSACTION,
            (
                station_id,
                transaction_id,
                state.first_seen_at,
                token.id_token if token else None,
                token.type if token else None,
                state.ended,
            ),
        )

    async def open_sessions(self, token_key: str) -> set[tuple[str, str]]:
        rows = await self._run(_OPEN_SESSIONS, (token_key,))
        return {(row["station_id"], row["transaction_id"]) for row in rows}

    async def open_session(self, token_key: str, station_id: str, transaction_id: str) -> None:
        await self._run(_OPEN_SESSION, (token_key, station_id, transaction_id))

    async def close_session(self, token_key: str, station_id: str, transaction_id: str) -> None:
        await self._run(_CLOSE_SESSION, (token_key, station_id, transaction_id))

    async def _run(self, cql: str, params: tuple[object, ...]) -> list[Row]:
        statement = await self._session.prepare(cql, idempotent=True)
        return await self._session.execute(statement, params)
