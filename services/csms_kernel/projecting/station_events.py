"""Read models kept as one partition of serialized events per station (`<keyspace>.station_events`: station_id,
recorded_at, event_id, event), folded by the service when read: the firmware history (docs/adr/0037), the
smart-charging profile view (docs/adr/0041). A partition is read whole, oldest first; the reads of one turn of the
event loop are made together (`csms_kernel.infra.batched_reads`: a boot storm reads thousands). Network I/O only."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from google.protobuf.message import Message

from csms_kernel.infra.batched_reads import BatchedReads
from csms_kernel.infra.cassandra import CassandraSession

M = TypeVar("M", bound=Message)

_SELECT = "SELECT station_id, event FROM {ks}.station_events WHERE station_id IN ?"


class StationEventPartitions(Generic[M]):
    def __init__(self, session: CassandraSession, keyspace: str, message: type[M]) -> None:
        self._session = session
        self._select = _SELECT.format(ks=keyspace)
        self._message = message
        self._reads = BatchedReads(self._read)

    async def events(self, station_id: str) -> list[M]:
        return await self._reads.get(station_id) or []

    async def _read(self, station_ids: Sequence[str]) -> dict[str, list[M]]:
        rows = await self._session.execute(await self._session.prepare(self._select, idempotent=True), (station_ids,))
        found: dict[str, list[M]] = {}
        for row in rows:  # each partition's rows in clustering order: oldest first
            found.setdefault(row["station_id"], []).append(self._message.FromString(row["event"]))
        return found
