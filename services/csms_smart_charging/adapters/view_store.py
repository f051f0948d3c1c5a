"""The station profile view in Cassandra (the projection writes it): the `StationEvents` port, one partition per
station read whole, oldest first (`csms_kernel.projecting.station_events`). Network I/O only."""

from __future__ import annotations

from csms.smart_charging.v1 import smart_charging_pb2
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.projecting.station_events import StationEventPartitions
from csms_smart_charging.projections.tables import KEYSPACE


class CassandraStationEvents(StationEventPartitions[smart_charging_pb2.SmartChargingEvent]):
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        super().__init__(session, keyspace, smart_charging_pb2.SmartChargingEvent)
