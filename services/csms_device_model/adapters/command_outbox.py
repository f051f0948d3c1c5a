"""The command outbox in Cassandra: the kernel `Outbox` port (`csms_kernel.outbox.relay`) over table
`command_outbox` (schema.cql), whose rows `command_store.CassandraCommandStore` writes before each change of a
command's state.

`pending` reads the rows of every shard (a station's commands share one) and the records they name: a row whose
state the record has reached becomes that state's event (`domain.commands.messages.event`, the record as it was
then); a row whose state the record can no longer reach (finished in another state; its compare-and-set lost)
is deleted here; a row whose change may still be applied (the record is not finished) waits. `remove` deletes
the rows of published events. Network I/O only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from csms_device_model.adapters.command_store import TABLES, CommandTables
from csms_device_model.domain.commands.messages import event
from csms_device_model.domain.commands.record import CommandRecord, CommandState
from csms_device_model.ports import SHARDS, CommandStore, PendingCommandEvent
from csms_kernel.infra.cassandra import CassandraSession

_PENDING = "SELECT shard, created_us, command_id, rank, station_id FROM {table} WHERE shard IN ? PER PARTITION LIMIT ?"
_DELETE = "DELETE FROM {table} WHERE shard = ? AND created_us = ? AND command_id = ? AND rank = ?"

STATES = list(CommandState)


@dataclass(frozen=True)
class OutboxRow:
    shard: int
    created_us: int
    command_id: str
    rank: int
    station_id: str


def ready(row: OutboxRow, record: CommandRecord | None) -> PendingCommandEvent | None:
    """The row's event when the record has reached its state."""
    state = STATES[row.rank]
    if record is None or state not in record.history:
        return None
    return PendingCommandEvent(
        shard=row.shard,
        created_us=row.created_us,
        command_id=record.command_id,
        rank=row.rank,
        station_id=record.station_id,
        event=event(record, state).SerializeToString(),
    )


def dead(row: OutboxRow, record: CommandRecord | None) -> bool:
    """Whether the row's state can no longer be reached (the record finished in another state)."""
    return record is None or (record.state.final and STATES[row.rank] not in record.history)


class CassandraCommandOutbox:
    def __init__(self, session: CassandraSession, store: CommandStore, tables: CommandTables = TABLES) -> None:
        self._session = session
        self._store = store
        self._pending = _PENDING.format(table=tables.outbox)
        self._delete_row = _DELETE.format(table=tables.outbox)

    async def pending(self, per_shard: int) -> list[PendingCommandEvent]:
        statement = await self._session.prepare(self._pending, idempotent=True)
        rows = [OutboxRow(**row) for row in await self._session.execute(statement, (list(range(SHARDS)), per_shard))]
        ids = sorted({row.command_id for row in rows})
        records = dict(zip(ids, await asyncio.gather(*(self._store.get(i) for i in ids)), strict=True))
        found = []
        for row in rows:
            record = records[row.command_id]
            pending = ready(row, record)
            if pending is not None:
                found.append(pending)
            elif dead(row, record):
                await self._delete(row.shard, row.created_us, row.command_id, row.rank)
        return found

    async def remove(self, events: Sequence[PendingCommandEvent]) -> None:
        await asyncio.gather(*(self._delete(e.shard, e.created_us, e.command_id, e.rank) for e in events))

    async def _delete(self, shard: int, created_us: int, command_id: str, rank: int) -> None:
        statement = await self._session.prepare(self._delete_row, idempotent=True)
        await self._session.execute(statement, (shard, created_us, command_id, rank))
