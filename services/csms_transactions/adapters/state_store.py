"""The transactions write model: what a handler must know to answer a station, read-your-writes in Cassandra.

- `transaction_steps`: one partition per transaction, holding its state (when the CSMS first heard of it, its
  session token, whether it ended) and the outcome answered for each message about it by natural key (1.6 stop:
  transaction id; 2.x: transaction id + seqNo) — the transaction id and authorization decision — so a
  redelivered or duplicated frame gets the same answer. One read serves both, one write records both.
- `handled_messages`: the outcome of a 1.6 StartTransaction by its natural key (connector, timestamp, idTag),
  which names no transaction until the CSMS has allocated one.
- `transaction_ids`: 1.6 transaction ids, allocated at random with a lightweight transaction, never reused.
- `open_sessions`: the active transactions of each token (ConcurrentTx).

The Cassandra implementation of the `StateStore` port (LOCAL_QUORUM); the fake is in tests/kit.
"""

from __future__ import annotations

import secrets
from datetime import UTC

from cassandra.query import BoundStatement, PreparedStatement

from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.projecting.writes import one_request
from csms_transactions.domain.tokens import Decision, Token
from csms_transactions.ports import Handled, IdsExhaustedError, TransactionState

MAX_INT32 = 2**31 - 1


# The natural key of a transaction's state row in `transaction_steps` (message natural keys all contain "/").
STATE_ROW = ""
_DECISION_COLUMNS = "message_id, transaction_id, status, expiry, group_id_token, group_token_type"
_HANDLED_START = (
    f"SELECT {_DECISION_COLUMNS} FROM csms_transactions.handled_messages WHERE station_id = ? AND natural_key = ?"
)
_RECORD_START = (
    f"INSERT INTO csms_transactions.handled_messages (station_id, natural_key, {_DECISION_COLUMNS})"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_ALLOCATE = (
    "INSERT INTO csms_transactions.transaction_ids (csms_transaction_id, station_id, message_id) VALUES (?, ?, ?)"
    " IF NOT EXISTS"
)
_ALLOCATED = "SELECT station_id FROM csms_transactions.transaction_ids WHERE csms_transaction_id = ?"
_STEPS = (
    f"SELECT natural_key, first_seen_at, id_token, token_type, ended, {_DECISION_COLUMNS}"
    " FROM csms_transactions.transaction_steps WHERE station_id = ? AND transaction_id = ? AND natural_key IN ?"
)
_SAVE_STATE = (
    "INSERT INTO csms_transactions.transaction_steps (station_id, transaction_id, natural_key, first_seen_at,"
    " id_token, token_type, ended) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_SAVE_STEP = (
    "INSERT INTO csms_transactions.transaction_steps (station_id, natural_key, message_id, transaction_id, status,"
    " expiry, group_id_token, group_token_type) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
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

    async def handled_start(self, station_id: str, key: str) -> Handled | None:
        rows = await self._run(_HANDLED_START, (station_id, key))
        return _handled(rows[0]) if rows else None

    async def record_start(self, station_id: str, key: str, handled: Handled) -> None:
        await self._run(_RECORD_START, (station_id, key, *_handled_values(handled)))

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

    async def transaction(
        self, station_id: str, transaction_id: str, key: str | None = None
    ) -> tuple[TransactionState | None, Handled | None]:
        keys = [STATE_ROW] if key is None else [STATE_ROW, key]
        state, handled = None, None
        for row in await self._run(_STEPS, (station_id, transaction_id, keys)):
            if row["natural_key"] == STATE_ROW:
                token = Token(row["id_token"], row["token_type"] or "") if row["id_token"] is not None else None
                state = TransactionState(row["first_seen_at"].replace(tzinfo=UTC), token, bool(row["ended"]))
            else:
                handled = _handled(row)
        return state, handled

    async def save_transaction(
        self,
        station_id: str,
        transaction_id: str,
        state: TransactionState | None,
        handled: tuple[str, Handled] | None = None,
    ) -> None:
        statements: list[BoundStatement] = []
        if state is not None:
            token = state.session_token
            values = (
                state.first_seen_at,
                token.id_token if token else None,
                token.type if token else None,
                state.ended,
            )
            statements.append(
                (await self._prepared(_SAVE_STATE)).bind((station_id, transaction_id, STATE_ROW, *values))
            )
        if handled is not None:
            key, outcome = handled
            assert outcome.transaction_id == transaction_id, "the outcome of a message about another transaction"
            statements.append((await self._prepared(_SAVE_STEP)).bind((station_id, key, *_handled_values(outcome))))
        if statements:
            await self._session.execute(one_request(statements))

    async def open_sessions(self, token_key: str) -> set[tuple[str, str]]:
        rows = await self._run(_OPEN_SESSIONS, (token_key,))
        return {(row["station_id"], row["transaction_id"]) for row in rows}

    async def open_session(self, token_key: str, station_id: str, transaction_id: str) -> None:
        await self._run(_OPEN_SESSION, (token_key, station_id, transaction_id))

    async def close_session(self, token_key: str, station_id: str, transaction_id: str) -> None:
        await self._run(_CLOSE_SESSION, (token_key, station_id, transaction_id))

    async def _run(self, cql: str, params: tuple[object, ...]) -> list[Row]:
        return await self._session.execute(await self._prepared(cql), params)

    async def _prepared(self, cql: str) -> PreparedStatement:
        return await self._session.prepare(cql, idempotent=True)


def _handled(row: Row) -> Handled:
    decision = None
    if row["status"] is not None:
        group = Token(row["group_id_token"], row["group_token_type"] or "") if row["group_id_token"] else None
        expiry = row["expiry"].replace(tzinfo=UTC) if row["expiry"] is not None else None
        decision = Decision(row["status"], expiry, group)
    return Handled(row["message_id"], row["transaction_id"], decision)


def _handled_values(handled: Handled) -> tuple[object, ...]:
    decision = handled.decision
    group = decision.group if decision else None
    return (
        handled.message_id,
        handled.transaction_id,
        decision.status if decision else None,
        decision.expiry if decision else None,
        group.id_token if group else None,
        group.type if group else None,
    )
