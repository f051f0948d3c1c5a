"""Whether a token has an active session: the Cassandra implementation of the `ActiveSessions` port (network
I/O only). Table `active_sessions` is written by `projections.active_sessions`; the fake is in tests/kit.
"""

from __future__ import annotations

from csms_authorization.adapters.store import KEYSPACE, execute
from csms_kernel.infra.cassandra import CassandraSession


class CassandraActiveSessions:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def has_active(self, key: str) -> bool:
        rows = await execute(
            self._session, f"SELECT station_id FROM {KEYSPACE}.active_sessions WHERE token_key = ? LIMIT 1", (key,)
        )
        return bool(rows)
