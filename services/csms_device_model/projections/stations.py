"""The stations, connector_status and station_registrations read models: a batch of frames and device-model
events → CQL writes (command events change none of them).

Each write carries USING TIMESTAMP = the time of the fact (microseconds), so replays and out-of-order
delivery converge on the same rows (last write wins by event time).
Presence needs the current state: `StationsState` reads, before each batch, which connection holds each station
of the batch's CONNECTED/DISCONNECTED frames (network I/O through `Presences`), and `writes` decides on it
(`domain.presence`). A station's last-seen time is written at most once per `last_seen_resolution` by each
projector process (docs/adr/0008-performance.md); `StationsState` remembers what was written.
`PROJECTION` declares it: group `device_model.projector.stations`, topics `ocpp.frames.v1` (connection
events, last-seen times) and `csms.device_model.events.v1` (boots, connector status).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Protocol, TypeAlias

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import CONNECTION_KINDS, Presence, PresenceChange, changes
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import to_datetime, version_from_proto
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write, micros

StationEvent: TypeAlias = envelope_pb2.Envelope | device_model_pb2.DeviceModelEvent

LAST_SEEN = "UPDATE {ks}.stations USING TIMESTAMP ? SET last_seen_at = ? WHERE station_id = ?"

PRESENCE = (
    "UPDATE {ks}.stations USING TIMESTAMP ? SET connected = ?, edge_node_id = ?, connection_id = ?,"
    " edge_address = ?, ocpp_version = ? WHERE station_id = ?"
)

BOOTED = (
    "UPDATE {ks}.stations USING TIMESTAMP ? SET vendor = ?, model = ?, serial_number = ?,"
    " firmware_version = ?, boot_reason = ?, registration_status = ?, ocpp_version = ?, last_boot_at = ?"
    " WHERE station_id = ?"
)

REGISTRATION = "UPDATE {ks}.station_registrations USING TIMESTAMP ? SET status = ?, booted_at = ? WHERE station_id = ?"

CONNECTOR_STATUS = (
    "UPDATE {ks}.connector_status USING TIMESTAMP ? SET status = ?, error_code = ?, updated_at = ?"
    " WHERE station_id = ? AND evse_id = ? AND connector_id = ?"
)


@dataclass(frozen=True)
class StationsView:
    """What a batch is decided on: the current presence of the stations that connected or disconnected, and
    the last-seen times this process wrote."""

    presences: Mapping[str, Presence | None]
    last_seen_written: Mapping[str, datetime]
    last_seen_resolution: timedelta


def last_seen(station_id: str, at: datetime) -> Write:
    return Write(LAST_SEEN, (micros(at), at, station_id))


def presence(station_id: str, change: PresenceChange) -> Write:
    p = change.new
    params = (micros(change.at), p.connected, p.edge_node_id, p.connection_id, p.edge_address, p.ocpp_version)
    return Write(PRESENCE, (*params, station_id))


def from_event(event: device_model_pb2.DeviceModelEvent) -> list[Write]:
    at = to_datetime(event.occurred_at)
    which = event.WhichOneof("event")
    if which == "station_booted":
        booted = event.station_booted
        version = version_from_proto(event.ocpp_version).subprotocol
        values = (
            booted.vendor,
            booted.model,
            booted.serial_number,
            booted.firmware_version,
            booted.reason,
            booted.registration_status,
        )
        return [
            Write(BOOTED, (micros(at), *values, version, at, event.station_id)),
            Write(REGISTRATION, (micros(at), booted.registration_status, at, event.station_id)),
        ]
    if which == "connector_status_changed":
        status = event.connector_status_changed
        reported_at = to_datetime(status.timestamp)
        where = (event.station_id, status.evse_id, status.connector_id)
        return [Write(CONNECTOR_STATUS, (micros(at), status.status, status.error_code, reported_at, *where))]
    return []


def frames(events: Sequence[StationEvent]) -> list[envelope_pb2.Envelope]:
    return [event for event in events if isinstance(event, envelope_pb2.Envelope)]


def last_seen_due(events: Sequence[StationEvent], view: StationsView) -> dict[str, datetime]:
    """The latest time each station was heard from in the batch, where it is due to be written."""
    seen: dict[str, datetime] = {}
    for frame in frames(events):
        if frame.kind not in CONNECTION_KINDS and frame.direction == envelope_pb2.DIRECTION_STATION_TO_CSMS:
            at = to_datetime(frame.received_at)
            seen[frame.station_id] = max(at, seen.get(frame.station_id, at))
    return {
        station_id: at
        for station_id, at in seen.items()
        if station_id not in view.last_seen_written
        or at >= view.last_seen_written[station_id] + view.last_seen_resolution
    }


def writes(events: Sequence[StationEvent], view: StationsView) -> list[Write]:
    out = [
        write for event in events if isinstance(event, device_model_pb2.DeviceModelEvent) for write in from_event(event)
    ]
    out += [presence(station_id, change) for station_id, change in changes(view.presences, frames(events))]
    out += [last_seen(station_id, at) for station_id, at in last_seen_due(events, view).items()]
    return out


class Presences(Protocol):
    async def presence(self, station_id: str) -> Presence | None: ...


class StationsState:
    """The projection's current-state step: reads the presences a batch needs, remembers last-seen writes."""

    def __init__(self, presences: Presences, last_seen_resolution: timedelta = timedelta(seconds=30)) -> None:
        self._presences = presences
        self._resolution = last_seen_resolution
        self._last_seen_written: dict[str, datetime] = {}

    async def read(self, events: Sequence[StationEvent]) -> StationsView:
        ids = sorted({frame.station_id for frame in frames(events) if frame.kind in CONNECTION_KINDS})
        found = await asyncio.gather(*(self._presences.presence(station_id) for station_id in ids))
        written = MappingProxyType(self._last_seen_written)
        return StationsView(dict(zip(ids, found, strict=True)), written, self._resolution)

    def applied(self, events: Sequence[StationEvent], state: StationsView) -> None:
        self._last_seen_written.update(last_seen_due(events, state))


PROJECTION = Projection[StationEvent, StationsView](
    name="device_model.projector.stations",
    event_types={topics.FRAMES: envelope_pb2.Envelope, topics.DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent},
    keyspace="csms_device_model",
    tables=("stations", "connector_status", "station_registrations"),
    writes=writes,
)
