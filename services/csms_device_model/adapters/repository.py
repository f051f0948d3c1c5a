"""The device-model read models in Cassandra: reads for gRPC, commands and the projection's presence step (presences
read together, `csms_kernel.infra.batched_reads`).

The Cassandra implementation of the `StationsRepository` port (`ports.py`); its fake is in tests/kit.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.presence import Presence
from csms_kernel.infra.batched_reads import BatchedReads
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion

_PRESENCES = (
    "SELECT station_id, connected, edge_node_id, connection_id, edge_address, ocpp_version"
    " FROM csms_device_model.stations WHERE station_id IN ?"
)
_STATION = "SELECT * FROM csms_device_model.stations WHERE station_id = ?"
_REGISTRATION = "SELECT status FROM csms_device_model.station_registrations WHERE station_id = ?"
_FIRST_STATIONS = "SELECT * FROM csms_device_model.stations LIMIT ?"
_NEXT_STATIONS = "SELECT * FROM csms_device_model.stations WHERE token(station_id) > token(?) LIMIT ?"
_CONNECTORS = "SELECT * FROM csms_device_model.connector_status WHERE station_id = ?"


class CassandraStationsRepository:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session
        self._presences = BatchedReads(self._read_presences)  # one request per batch of CONNECTED frames

    async def presence(self, station_id: str) -> Presence | None:
        return await self._presences.get(station_id)

    async def _read_presences(self, station_ids: Sequence[str]) -> dict[str, Presence]:
        rows = await self._session.execute(await self._session.prepare(_PRESENCES, idempotent=True), (station_ids,))
        return {
            row["station_id"]: Presence(
                connected=bool(row["connected"]),
                edge_node_id=row["edge_node_id"] or "",
                connection_id=row["connection_id"] or "",
                edge_address=row["edge_address"] or "",
                ocpp_version=row["ocpp_version"] or "",
            )
            for row in rows
            if row["connection_id"] is not None
        }

    async def registration(self, station_id: str) -> str | None:
        rows = await self._session.execute(await self._session.prepare(_REGISTRATION, idempotent=True), (station_id,))
        return rows[0]["status"] if rows else None

    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        rows = await self._session.execute(await self._session.prepare(_STATION, idempotent=True), (station_id,))
        if not rows:
            return None
        return await self._with_connectors(rows[0])

    async def stations(self, page_size: int, page_token: str) -> tuple[list[device_model_pb2.Station], str]:
        """One page in token order; the page token is the last station id of the previous page (base64), so a
        forged token can only name a station id, never reach Cassandra as a paging state."""
        if page_token:
            after = decode_page_token(page_token)
            statement = await self._session.prepare(_NEXT_STATIONS, idempotent=True)
            rows = await self._session.execute(statement, (after, page_size))
        else:
            rows = await self._session.execute(
                await self._session.prepare(_FIRST_STATIONS, idempotent=True), (page_size,)
            )
        stations = await asyncio.gather(*(self._with_connectors(row) for row in rows))
        next_token = encode_page_token(rows[-1]["station_id"]) if len(rows) == page_size else ""
        return list(stations), next_token

    async def _with_connectors(self, row: Row) -> device_model_pb2.Station:
        statement = await self._session.prepare(_CONNECTORS, idempotent=True)
        connectors = await self._session.execute(statement, (row["station_id"],))
        return station_message(row, connectors)


def encode_page_token(station_id: str) -> str:
    return base64.urlsafe_b64encode(station_id.encode()).decode()


def decode_page_token(token: str) -> str:
    """Raises ValueError for a token this service did not issue."""
    try:
        station_id = base64.urlsafe_b64decode(token.encode()).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError("invalid page token") from exc
    if not station_id or len(station_id) > 48:
        raise ValueError("invalid page token")
    return station_id


def station_message(row: Row, connectors: Sequence[Row]) -> device_model_pb2.Station:
    """Maps the rows to the API message (the driver returns naive datetimes in UTC)."""
    station = device_model_pb2.Station(
        station_id=row["station_id"],
        vendor=row.get("vendor") or "",
        model=row.get("model") or "",
        serial_number=row.get("serial_number") or "",
        firmware_version=row.get("firmware_version") or "",
        boot_reason=row.get("boot_reason") or "",
        registration_status=row.get("registration_status") or "",
        connected=bool(row.get("connected")),
        edge_node_id=row.get("edge_node_id") or "",
        connection_id=row.get("connection_id") or "",
        edge_address=row.get("edge_address") or "",
    )
    if row.get("ocpp_version"):
        station.ocpp_version = version_to_proto(OcppVersion(row["ocpp_version"]))
    for field in ("last_boot_at", "last_seen_at"):
        if row.get(field) is not None:
            getattr(station, field).CopyFrom(timestamp(row[field]))
    for connector in connectors:
        item = station.connectors.add(
            evse_id=connector["evse_id"],
            connector_id=connector["connector_id"],
            status=connector.get("status") or "",
            error_code=connector.get("error_code") or "",
        )
        if connector.get("updated_at") is not None:
            item.updated_at.CopyFrom(timestamp(connector["updated_at"]))
    return station
