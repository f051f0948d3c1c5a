"""The station profile view in Cassandra (the projection writes it): the `StationEvents` port, one partition per
station read whole, oldest first. Network I/O only."""

from __future__ import annotations

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.cassandra import CassandraSession
from csms_smart_charging.projections.tables import KEYSPACE

_SELECT = "SELECT event FROM {ks}.station_events WHERE station_id = ?"


class CassandraStationEvents:
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        self._session = session
        self._keyspace = keyspace

    async def events(self, station_id: str) -> list[smart_charging_pb2.SmartChargingEvent]:
        statement = await self._session.prepare(_SELECT.format(ks=self._keyspace), idempotent=True)
        rows = await self._session.execute(statement, (station_id,))
        return [smart_charging_pb2.SmartChargingEvent.FromString(row["event"]) for row in rows]
