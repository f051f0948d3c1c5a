"""The station firmware history in Cassandra (the projection writes it): the `FirmwareHistory` port, one
partition per station read whole, oldest first (`csms_kernel.projecting.station_events`). Network I/O only."""

from __future__ import annotations

from csms.firmware.v1 import firmware_pb2
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.projecting.station_events import StationEventPartitions


class CassandraFirmwareHistory(StationEventPartitions[firmware_pb2.FirmwareEvent]):
    def __init__(self, session: CassandraSession, keyspace: str = KEYSPACE) -> None:
        super().__init__(session, keyspace, firmware_pb2.FirmwareEvent)
