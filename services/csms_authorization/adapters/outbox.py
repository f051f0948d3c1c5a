"""The transactional outboxes of the service's events: the Cassandra adapter of the kernel's `Outbox` port
(`csms_kernel.outbox.relay`) for the `PendingEvent`s of csms_authorization.ports. Three tables of one layout:
`token_outbox` (token changes, this page), `station_outbox` (station credential changes, written by
`registry.CassandraStationRegistry` in the same way; docs/adr/0021) and `security_outbox` (the CSMS security
events of a password rotation or profile upgrade, for `csms.security.events.v1`; docs/adr/0028), each with its own
relay.

A token change and its `AuthorizationEvent` are stored in one Cassandra request (a logged batch of the token's
row and an outbox row, `token_store.CassandraTokenStore`), both written at the event's revision (its CQL write
timestamp), so a stored change always has its event waiting. The kernel's `OutboxRelay` publishes the waiting
events and removes them once Kafka has acknowledged them: at least once, in revision order per token.

Outbox rows are spread over `SHARDS` partitions by a hash of the token key, so all events of one token share
a partition, ordered by revision. `CassandraOutbox` owns the outbox table it is given (schema.cql): network I/O
only.
"""

from __future__ import annotations

from collections.abc import Sequence

from csms_authorization.adapters.store import KEYSPACE, execute, execute_batch
from csms_authorization.ports import SHARDS, PendingEvent
from csms_kernel.infra.cassandra import CassandraSession

OUTBOX_TABLE = "token_outbox"
STATION_OUTBOX_TABLE = "station_outbox"
SECURITY_OUTBOX_TABLE = "security_outbox"
# The column of the event's key in each outbox table.
TOKEN_KEY = "token_key"
STATION_KEY = "station_id"


def outbox_insert(table: str = OUTBOX_TABLE, key_column: str = TOKEN_KEY) -> str:
    """The CQL that queues an event (parameters: `insert_params`), written in the batch of its change."""
    return (
        f"INSERT INTO {KEYSPACE}.{table} (shard, revision, event_id, {key_column}, event) VALUES (?, ?, ?, ?, ?)"
        " USING TIMESTAMP ?"
    )


def insert_params(event: PendingEvent) -> tuple[object, ...]:
    return (event.shard, event.revision, event.event_id, event.key, event.event, event.revision)


class CassandraOutbox:
    def __init__(self, session: CassandraSession, table: str = OUTBOX_TABLE, key_column: str = TOKEN_KEY) -> None:
        self._session = session
        self._table = table
        self._key_column = key_column

    async def pending(self, per_shard: int) -> list[PendingEvent]:
        rows = await execute(
            self._session,
            f"SELECT shard, revision, event_id, {self._key_column}, event FROM {KEYSPACE}.{self._table}"
            " WHERE shard IN ? PER PARTITION LIMIT ?",
            (list(range(SHARDS)), per_shard),
        )
        return [
            PendingEvent(row["shard"], row["revision"], row["event_id"], row[self._key_column], row["event"])
            for row in rows
        ]

    async def remove(self, events: Sequence[PendingEvent]) -> None:
        # Deleted one microsecond after the row was written, whatever this machine's clock says: a delete
        # stamped earlier than the write (a clock behind the writer's) would leave the row to be sent forever.
        delete = (
            f"DELETE FROM {KEYSPACE}.{self._table} USING TIMESTAMP ? WHERE shard = ? AND revision = ? AND event_id = ?"
        )
        for shard in sorted({e.shard for e in events}):
            await execute_batch(
                self._session,
                [(delete, (e.revision + 1, e.shard, e.revision, e.event_id)) for e in events if e.shard == shard],
                logged=False,  # one partition: one mutation
            )
