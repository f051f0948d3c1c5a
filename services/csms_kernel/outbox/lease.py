"""A lease naming the one instance that does a job for the whole service (an outbox relay, a sweep): the
Cassandra adapter of `relay.Lease`.

`CassandraLease` keeps one row per job in the service's `<keyspace>.leases` table (`name text PRIMARY KEY, owner
text`, declared in the service's schema.cql), renewed with `UPDATE ... IF owner = ?` and taken with `INSERT ... IF
NOT EXISTS` (lightweight transactions), with a TTL: when its owner stops renewing it, it expires and another
instance takes it. Owners are instance ids, so a restarted instance renews the lease it held before. Network I/O
only.
"""

from __future__ import annotations

from csms_kernel.infra.cassandra import CassandraSession


class CassandraLease:
    def __init__(self, session: CassandraSession, keyspace: str, name: str, owner: str, ttl_s: int) -> None:
        self._session = session
        self._table = f"{keyspace}.leases"
        self._name = name
        self._owner = owner
        self._ttl_s = ttl_s

    async def acquire(self) -> bool:
        renew = f"UPDATE {self._table} USING TTL ? SET owner = ? WHERE name = ? IF owner = ?"
        if await self._applied(renew, (self._ttl_s, self._owner, self._name, self._owner)):
            return True
        take = f"INSERT INTO {self._table} (name, owner) VALUES (?, ?) IF NOT EXISTS USING TTL ?"
        return await self._applied(take, (self._name, self._owner, self._ttl_s))

    async def release(self) -> None:
        await self._applied(f"DELETE FROM {self._table} WHERE name = ? IF owner = ?", (self._name, self._owner))

    async def _applied(self, cql: str, params: tuple[object, ...]) -> bool:
        rows = await self._session.execute(await self._session.prepare(cql, idempotent=False), params)
        return bool(rows[0]["[applied]"])
