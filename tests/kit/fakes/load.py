"""In-memory fakes of load management's ports: the sites (by id, and the site of each EVSE) and a pusher that
records every profile and answers at once."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Mapping
from typing import Any

from csms_smart_charging.load.app.manager import with_demand
from csms_smart_charging.load.domain.site import Demand, EvseKey
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

    async def push_default(
        self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str
    ) -> bool:
        return await self.push(station_id, evse_id, profile, request_key=request_key)

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


class InMemoryLoadStore:
    """The site repository as the load loop uses it: the states given (as loaded: copies), their stored
    sessions, enforced limits and recompute numbers, and the site of each member EVSE."""

    def __init__(self, *states: SiteState) -> None:
        self.states = {state.site.site_id: state for state in states}
        self.sessions: dict[tuple[str, EvseKey], tuple[Demand, str | None]] = {}
        self.lookups = 0

    async def site_of(self, key: EvseKey) -> str | None:
        self.lookups += 1
        return next((site_id for site_id, state in self.states.items() if key in state.demands), None)

    async def load_state(self, site_id: str) -> SiteState | None:
        state = self.states.get(site_id)
        if state is None:
            return None
        loaded = copy.deepcopy(state)
        for (site, key), (demand, transaction_id) in self.sessions.items():
            if site == site_id and key in loaded.demands:
                with_demand(loaded, demand, transaction_id)
        return loaded

    async def save_session(self, site_id: str, demand: Demand, transaction_id: str | None) -> None:
        self.sessions[(site_id, demand.key)] = (demand, transaction_id)

    async def next_sequence(self, site_id: str) -> int:
        self.states[site_id].sequence += 1
        return self.states[site_id].sequence

    async def save_installed(self, site_id: str, key: EvseKey, limit_a: float | None) -> None:
        installed = self.states[site_id].installed
        if limit_a is None:
            installed.pop(key, None)
        else:
            installed[key] = limit_a
