"""An in-memory `StationCalls` for the services' unit tests: stations with their version, scripted answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from csms_kernel.clients.station_calls import Answered, StationOffline, action_of, answered
from csms_kernel.ocpp.payloads import to_payload
from csms_kernel.ocpp.versions import OcppVersion

Answer = dict[str, Any] | Exception


@dataclass
class FakeStationCalls:
    """Connected stations by id with their version (an exception: what the lookup raises); answers by station
    and action (a CALLRESULT payload or an exception to raise; a list: one per call, in order), StationOffline
    when there is none. Records every call as (station, action, payload, timeout)."""

    versions: dict[str, OcppVersion | Exception] = field(default_factory=dict)
    answers: dict[tuple[str, str], Answer | list[Answer]] = field(default_factory=dict)
    calls: list[tuple[str, str, dict[str, Any], float]] = field(default_factory=list)

    async def connected_version(self, station_id: str) -> OcppVersion:
        version = self.versions.get(station_id, StationOffline(f"station {station_id} is offline"))
        if isinstance(version, Exception):
            raise version
        return version

    async def send(self, station_id: str, request: Any, timeout_s: float) -> Answered:
        action = action_of(request)
        self.calls.append((station_id, action, to_payload(request), timeout_s))
        answer = self.answers.get((station_id, action), StationOffline(f"station {station_id} is offline"))
        if isinstance(answer, list):
            answer = answer.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answered(request, f"csms-{len(self.calls)}", answer)
