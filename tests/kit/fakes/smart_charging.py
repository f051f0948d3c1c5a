"""In-memory fakes of the smart-charging service's ports: device-model's commands and the request keys (the
firmware fakes: the same SendCommand and claim contracts), the event publisher and the station view read model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from csms.smart_charging.v1 import smart_charging_pb2
from kit.fakes.firmware import InMemoryRequestKeys, RecordingCommands

__all__ = ["ActiveOn", "InMemoryRequestKeys", "ListedEvents", "PublishedEvents", "RecordingCommands"]


@dataclass
class PublishedEvents:
    events: list[smart_charging_pb2.SmartChargingEvent] = field(default_factory=list)

    async def publish(self, events: Sequence[smart_charging_pb2.SmartChargingEvent]) -> None:
        self.events.extend(events)


@dataclass
class ListedEvents:
    """The read model: the events given (SmartChargingEvents as the projection stores them)."""

    events_by_station: dict[str, list[smart_charging_pb2.SmartChargingEvent]] = field(default_factory=dict)

    def add(self, *events: smart_charging_pb2.SmartChargingEvent) -> None:
        for event in events:
            self.events_by_station.setdefault(event.station_id, []).append(event)

    async def events(self, station_id: str) -> list[smart_charging_pb2.SmartChargingEvent]:
        return list(self.events_by_station.get(station_id, []))


@dataclass
class ActiveOn:
    """The transactions service: the active transaction id of each (station, EVSE) given."""

    transactions: dict[tuple[str, int], str] = field(default_factory=dict)

    async def active_transaction(self, station_id: str, evse_id: int) -> str | None:
        return self.transactions.get((station_id, evse_id))
