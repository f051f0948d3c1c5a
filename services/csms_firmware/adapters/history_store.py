"""The station firmware history in Cassandra (the projection writes it): the `FirmwareHistory` port, one
partition per station read whole, oldest first. Network I/O only."""

from __future__ import annotations

from csms.firmware.v1 import firmware_pb2
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession

_SELECT = "SELECT event FROM {ks}.station_events WHERE station_id = ?"


class CassandraFirmwareHistory:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def events(self, station_id: str) -> list[firmware_pb2.FirmwareEvent]:
        statement = await self._session.prepare(_SELECT.format(ks=self._keyspace), idempotent=True)
        rows = await self._session.execute(statement, (station_id,))
        return [firmware_pb2.FirmwareEvent.FromString(row["event"]) for row in rows]
