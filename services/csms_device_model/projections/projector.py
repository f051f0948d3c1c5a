"""The device-model projector: keeps stations, presence and connector status up to date from the log.

Side effects: reads `ocpp.frames.v1` (connection events, last-seen times) and `csms.device_model.events.v1`
(boots, connector status) in the group `device_model.projector.stations`, writes Cassandra, and tells an
edge node to close a station's old connection when the station reconnected on another node. A station's
last-seen time is written at most once per `last_seen_resolution` by each projector process (a write per frame
cost more than the rest of the projection; README "Performance").
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from aiokafka import ConsumerRecord
from google.protobuf.message import DecodeError

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_device_model.adapters.repository import StationsRepository
from csms_device_model.domain.presence import CloseOldConnection, Presence, decide
from csms_device_model.projections import stations
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import to_datetime

GROUP_ID = "device_model.projector.stations"
TOPICS = (topics.FRAMES, topics.DEVICE_MODEL_EVENTS)

_CONNECTION_KINDS = (envelope_pb2.KIND_CONNECTED, envelope_pb2.KIND_DISCONNECTED)


class ConnectionCloser(Protocol):
    async def close(self, station_id: str, old: CloseOldConnection) -> None: ...


class UndecodableRecordError(ValueError):
    pass


class StationsProjector:
    def __init__(
        self,
        repository: StationsRepository,
        closer: ConnectionCloser,
        last_seen_resolution: timedelta = timedelta(seconds=30),
    ) -> None:
        self._repository = repository
        self._closer = closer
        self._last_seen_resolution = last_seen_resolution
        self._last_seen_written: dict[str, datetime] = {}

    async def apply(self, records: Sequence[ConsumerRecord[bytes, bytes]]) -> None:
        writes: list[stations.Write] = []
        seen: dict[str, datetime] = {}
        connection_events: list[envelope_pb2.Envelope] = []
        for record in records:
            if record.topic == topics.DEVICE_MODEL_EVENTS:
                writes += stations.from_event(_decode(device_model_pb2.DeviceModelEvent(), record.value))
                continue
            envelope = _decode(envelope_pb2.Envelope(), record.value)
            if envelope.kind in _CONNECTION_KINDS:
                connection_events.append(envelope)
            elif envelope.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS:
                at = to_datetime(envelope.received_at)
                seen[envelope.station_id] = max(at, seen.get(envelope.station_id, at))
        closes: list[tuple[str, CloseOldConnection]] = []
        presences = await self._current_presences({e.station_id for e in connection_events})
        for event in connection_events:
            change = decide(presences.get(event.station_id), event, _event_time(event))
            if change is None:
                continue
            presences[event.station_id] = change.new
            writes.append(stations.presence(event.station_id, change))
            if change.close is not None:
                closes.append((event.station_id, change.close))
        seen = {station_id: at for station_id, at in seen.items() if self._last_seen_due(station_id, at)}
        writes += [stations.last_seen(station_id, at) for station_id, at in seen.items()]
        await self._repository.apply(writes)
        self._last_seen_written.update(seen)
        for station_id, old in closes:
            await self._closer.close(station_id, old)

    def _last_seen_due(self, station_id: str, at: datetime) -> bool:
        written = self._last_seen_written.get(station_id)
        return written is None or at >= written + self._last_seen_resolution

    async def _current_presences(self, station_ids: set[str]) -> dict[str, Presence | None]:
        ids = sorted(station_ids)
        found = await asyncio.gather(*(self._repository.presence(station_id) for station_id in ids))
        return dict(zip(ids, found, strict=True))


def _event_time(envelope: envelope_pb2.Envelope) -> datetime:
    return to_datetime(envelope.received_at)


M = TypeVar("M", envelope_pb2.Envelope, device_model_pb2.DeviceModelEvent)


def _decode(message: M, value: bytes | None) -> M:
    try:
        message.ParseFromString(value or b"")
    except DecodeError as exc:
        raise UndecodableRecordError(f"undecodable {type(message).__name__}") from exc
    return message
