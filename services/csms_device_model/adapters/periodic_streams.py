"""Reads of the periodic event streams read model (`projections/periodic_streams.py`) for gRPC: a station's streams,
and one stream's values between two times, day partition by day partition, oldest first. The Cassandra
implementation of the `PeriodicStreams` port (`ports.py`); its fake is in tests/kit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.cassandra import CassandraSession, Row
from csms_kernel.infra.envelopes import timestamp

_STREAMS = "SELECT * FROM csms_device_model.periodic_streams WHERE station_id = ?"
_VALUES = (
    "SELECT sampled_at, value FROM csms_device_model.periodic_stream_values"
    " WHERE station_id = ? AND stream_id = ? AND day = ? AND sampled_at >= ? AND sampled_at < ? LIMIT ?"
)


def days(since: datetime, until: datetime) -> list[date]:
    """The UTC days whose partitions hold values in [since, until), in order."""
    first, last = since.date(), until.date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def stream_message(row: Row) -> device_model_pb2.PeriodicStream:
    """Maps a row to the API message (the driver returns naive datetimes in UTC)."""
    stream = device_model_pb2.PeriodicStream(
        station_id=row["station_id"],
        stream_id=row["stream_id"],
        variable_monitoring_id=row.get("variable_monitoring_id") or 0,
        interval_s=row.get("interval_s") or 0,
        values=row.get("values_per_send") or 0,
        # values of a stream whose opening the CSMS never saw
        state=row.get("state") or "unknown",
    )
    for field in ("opened_at", "closed_at", "last_data_at"):
        if (moment := row.get(field)) is not None:
            getattr(stream, field).CopyFrom(timestamp(moment))
    return stream


class CassandraPeriodicStreams:
    def __init__(self, session: CassandraSession) -> None:
        self._session = session

    async def streams(self, station_id: str) -> list[device_model_pb2.PeriodicStream]:
        rows = await self._session.execute(await self._session.prepare(_STREAMS, idempotent=True), (station_id,))
        return [stream_message(row) for row in rows]

    async def values(
        self, station_id: str, stream_id: int, since: datetime, until: datetime, limit: int
    ) -> list[device_model_pb2.PeriodicStreamValue]:
        statement = await self._session.prepare(_VALUES, idempotent=True)
        out: list[device_model_pb2.PeriodicStreamValue] = []
        for day in days(since, until):
            if len(out) >= limit:
                break
            rows = await self._session.execute(statement, (station_id, stream_id, day, since, until, limit - len(out)))
            out += [
                device_model_pb2.PeriodicStreamValue(sampled_at=timestamp(row["sampled_at"]), value=row["value"])
                for row in rows
            ]
        return out
