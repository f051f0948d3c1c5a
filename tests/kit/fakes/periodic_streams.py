"""An in-memory `PeriodicStreams` (csms_device_model.ports): streams and values as a test puts them; `values`
answers like the Cassandra adapter (sampled in [since, until), oldest first, at most `limit`). No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from csms.device_model.v1 import device_model_pb2
from csms_kernel.infra.envelopes import timestamp, to_datetime


@dataclass
class InMemoryPeriodicStreams:
    rows: list[device_model_pb2.PeriodicStream] = field(default_factory=list)
    samples: dict[tuple[str, int], list[device_model_pb2.PeriodicStreamValue]] = field(default_factory=dict)
    asked: list[tuple[str, int, datetime, datetime, int]] = field(default_factory=list)

    def add_value(self, station_id: str, stream_id: int, at: datetime, value: str) -> None:
        self.samples.setdefault((station_id, stream_id), []).append(
            device_model_pb2.PeriodicStreamValue(sampled_at=timestamp(at), value=value)
        )

    async def streams(self, station_id: str) -> list[device_model_pb2.PeriodicStream]:
        return [row for row in self.rows if row.station_id == station_id]

    async def values(
        self, station_id: str, stream_id: int, since: datetime, until: datetime, limit: int
    ) -> list[device_model_pb2.PeriodicStreamValue]:
        self.asked.append((station_id, stream_id, since, until, limit))
        found = [
            value
            for value in self.samples.get((station_id, stream_id), [])
            if since <= to_datetime(value.sampled_at) < until
        ]
        return sorted(found, key=lambda value: to_datetime(value.sampled_at))[:limit]
