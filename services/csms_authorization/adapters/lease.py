"""A lease naming the one instance that does a job for the whole service (the outbox relay): the
Cassandra adapter of the `Lease` port (csms_authorization.ports).

`CassandraLease` keeps one row per job in `csms_authorization.leases`, renewed with `UPDATE ... IF owner = ?`
and taken with `INSERT ... IF NOT EXISTS` (lightweight transactions), with a TTL: when its owner stops renewing
it, it expires and another instance takes it. Owners are instance ids, so a restarted instance renews the lease
it held before. Network I/O only.
"""

from __future__ import annotations

from csms_authorization.adapters.store import KEYSPACE, execute
from csms_kernel.infra.cassandra import CassandraSession


class CassandraLease:
    def __init__(self, session: CassandraSession, name: str, owner: str, ttl_s: int) -> None:
        self._session = session
        self._name = name
        self._owner = owner
        self._ttl_s = ttl_s

    async def acquire(self) -> bool:
        renew = f"UPDATE {KEYSPACE}.leases USING TTL ? SET owner = ? WHERE name = ? IF owner = ?"
        if await self._applied(renew, (self._ttl_s, self._owner, self._name, self._owner)):
            return True
        take = f"INSERT INTO {KEYSPACE}.leases (name, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ?"
        return await self._applied(take, (self._name, self._owner, self._ttl_s))

    async def release(self) -> None:
        release = f"DELETE FROM {KEYSPACE}.leases WHERE name = ? IF owner = ?"
        await self._applied(release, (self._name, self._owner))

    async def _applied(self, cql: str, params: tuple[object, ...]) -> bool:
        rows = await execute(self._session, cql, params, idempotent=False)
        return bool(rows[0]["[applied]"])
