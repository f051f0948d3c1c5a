"""In-memory fakes of the device-model ports, for unit tests."""

from __future__ import annotations

from dataclasses import dataclass, field

from csms.device_model.v1 import device_model_pb2
from csms_device_model.domain.presence import CloseOldConnection, Presence
from csms_device_model.ports import Outcome


@dataclass
class InMemoryStationsRepository:
    presences: dict[str, Presence] = field(default_factory=dict)
    rows: dict[str, device_model_pb2.Station] = field(default_factory=dict)
    registrations: dict[str, str] = field(default_factory=dict)

    async def presence(self, station_id: str) -> Presence | None:
        return self.presences.get(station_id)

    async def registration(self, station_id: str) -> str | None:
        return self.registrations.get(station_id)

    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        return self.rows.get(station_id)

    async def stations(self, page_size: int, page_token: str) -> tuple[list[device_model_pb2.Station], str]:
        """One page of the rows; it issues no page tokens, so refuses any."""
        if page_token:
            raise ValueError("invalid page token")
        return list(self.rows.values())[:page_size], ""


@dataclass
class RecordingCloser:
    closed: list[tuple[str, CloseOldConnection]] = field(default_factory=list)

    async def close(self, station_id: str, old: CloseOldConnection) -> None:
        self.closed.append((station_id, old))


@dataclass
class ScriptedEdge:
    outcome: Outcome | Exception
    calls: list[tuple[Presence, str, str, str, float]] = field(default_factory=list)

    async def send_call(
        self, presence: Presence, station_id: str, action: str, payload_json: str, timeout_s: float
    ) -> Outcome:
        self.calls.append((presence, station_id, action, payload_json, timeout_s))
        if isinstance(self.outcome, Exception):
            raise self.outcome
        return self.outcome
