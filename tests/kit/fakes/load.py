"""In-memory fakes of load management's ports: the sites (by id, and the site of each EVSE) and a pusher that
records every profile and answers at once."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from csms_smart_charging.load.domain.site import EvseKey
from csms_smart_charging.load.domain.state import SiteState


class InMemorySites:
    def __init__(self, *states: SiteState) -> None:
        self._states = {state.site.site_id: state for state in states}

    def site_of(self, key: EvseKey) -> SiteState | None:
        return next((state for state in self._states.values() if key in state.demands), None)

    def get(self, site_id: str) -> SiteState | None:
        return self._states.get(site_id)


class RecordingPusher:
    """Accepts every profile after letting other tasks run; refuses those of the stations in `refuse`, raises for
    those in `fail`."""

    def __init__(self, refuse: frozenset[str] = frozenset(), fail: frozenset[str] = frozenset()) -> None:
        self.log: list[tuple[str, str, float]] = []
        self.keys: list[str] = []
        self.profiles: list[Mapping[str, Any]] = []
        self.refuse = refuse
        self.fail = fail

    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool:
        limit = profile["schedules"][0]["periods"][0]["limit"]
        self.log.append(("sent", station_id, limit))
        self.keys.append(request_key)
        self.profiles.append(profile)
        await asyncio.sleep(0)
        if station_id in self.fail:
            raise ConnectionError(f"device-model unreachable for {station_id}")
        self.log.append(("answered", station_id, limit))
        return station_id not in self.refuse
