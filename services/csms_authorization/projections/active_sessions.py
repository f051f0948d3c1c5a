"""Active sessions per token, projected from the transactions service's events (for 1.6 ConcurrentTx).

`session_writes` maps one `csms.transactions.v1.TransactionEvent` to CQL writes (pure): a transaction started
or updated is active for its session token; an ended one is not. Writes carry USING TIMESTAMP = the
event's station time, so replays and out-of-order delivery converge (an end shadows earlier starts and
updates). `ActiveSessionsProjector` applies them from `csms.transactions.events.v1` in the consumer group
`authorization.projector.active_sessions`; `CassandraActiveSessions` owns table `active_sessions`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from aiokafka import ConsumerRecord

from csms.transactions.v1 import transactions_pb2
from csms_authorization.adapters.store import KEYSPACE, execute
from csms_authorization.domain.tokens import token_key
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import to_datetime

GROUP_ID = "authorization.projector.active_sessions"
TOPICS = (topics.TRANSACTIONS_EVENTS,)

_ACTIVE = (
    f"INSERT INTO {KEYSPACE}.active_sessions (token_key, station_id, transaction_id) VALUES (?, ?, ?) USING TIMESTAMP ?"
)
_ENDED = (
    f"DELETE FROM {KEYSPACE}.active_sessions USING TIMESTAMP ?"
    " WHERE token_key = ? AND station_id = ? AND transaction_id = ?"
)


@dataclass(frozen=True)
class Write:
    cql: str
    params: tuple[object, ...]


class ActiveSessions(Protocol):
    async def has_active(self, key: str) -> bool:
        """Whether the token with this key has a transaction that has not ended."""


def session_writes(event: transactions_pb2.TransactionEvent) -> list[Write]:
    which = event.WhichOneof("event")
    if which not in ("started", "updated", "ended") or not event.session_id_token.id_token:
        return []
    key = token_key(event.session_id_token.id_token)
    at = _micros(to_datetime(event.occurred_at))
    if which == "ended":
        return [Write(_ENDED, (at, key, event.station_id, event.transaction_id))]
    return [Write(_ACTIVE, (key, event.station_id, event.transaction_id, at))]


def _micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


class CassandraActiveSessions:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def has_active(self, key: str) -> bool:
        rows = await execute(
            self._session, f"SELECT station_id FROM {KEYSPACE}.active_sessions WHERE token_key = ? LIMIT 1", (key,)
        )
        return bool(rows)

    async def apply(self, writes: Sequence[Write]) -> None:
        await asyncio.gather(*(execute(self._session, write.cql, write.params) for write in writes))


class SessionWriter(Protocol):
    async def apply(self, writes: Sequence[Write]) -> None: ...


class ActiveSessionsProjector:
    def __init__(self, writer: SessionWriter) -> None:
        self._writer = writer

    async def apply(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        writes: list[Write] = []
        for record in records:
            event = transactions_pb2.TransactionEvent()
            event.ParseFromString(record.value or b"")
            writes += session_writes(event)
        await self._writer.apply(writes)
