"""Whether a token has an active session: port `ActiveSessions` and its Cassandra implementation (network I/O
only). Table `active_sessions` is written by `projections.active_sessions`; the fake lives in the unit tests.
"""

from __future__ import annotations

from typing import Protocol

from csms_authorization.adapters.store import KEYSPACE, execute
from csms_kernel.infra.cassandra import CassandraSession


class ActiveSessions(Protocol):
    async def has_active(self, key: str) -> bool:
        """Whether the token with this key has a transaction that has not ended."""


class CassandraActiveSessions:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def has_active(self, key: str) -> bool:
        rows = await execute(
            self._session, f"SELECT station_id FROM {KEYSPACE}.active_sessions WHERE token_key = ? LIMIT 1", (key,)
        )
        return bool(rows)
