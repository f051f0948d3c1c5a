"""In-memory fakes of load management's ports: the site repository
(same contract as load/adapters/sites.py) and a pusher that records every profile and answers at once."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any

from csms_smart_charging.load.domain.config import SiteDefinition, check_site_id
from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey
from csms_smart_charging.load.domain.sites import with_site_limit
from csms_smart_charging.load.domain.state import SiteState
from csms_smart_charging.load.ports import EvseTaken, InvalidPageToken, SitesUnavailable


class RecordingPusher:
    """Accepts every profile after letting other tasks run; refuses those of the stations in `refuse`, raises for
    those in `fail`, leaves those in `silent` unanswered (outcome unknown)."""

    def __init__(
        self,
        refuse: frozenset[str] = frozenset(),
        fail: frozenset[str] = frozenset(),
        silent: frozenset[str] = frozenset(),
    ) -> None:
        self.log: list[tuple[str, str, float]] = []
        self.keys: list[str] = []
        self.profiles: list[Mapping[str, Any]] = []
        self.refuse = refuse
        self.fail = fail
        self.silent = silent

    async def push_default(
        self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str
    ) -> bool:
        return await self.push(station_id, evse_id, profile, request_key=request_key)

    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool | None:
        limit = profile["schedules"][0]["periods"][0]["limit"]
        self.log.append(("sent", station_id, limit))
        self.keys.append(request_key)
        self.profiles.append(profile)
        await asyncio.sleep(0)
        if station_id in self.fail:
            raise ConnectionError(f"device-model unreachable for {station_id}")
        if station_id in self.silent:
            return None
        self.log.append(("answered", station_id, limit))
        return station_id not in self.refuse


class InMemorySiteRepository:
    """Sites in dicts, listed in id order; `unavailable` makes every call raise SitesUnavailable."""

    def __init__(self, *definitions: SiteDefinition) -> None:
        self.sites: dict[str, SiteDefinition] = {}
        self.owners: dict[EvseKey, str] = {}
        self.installed: dict[str, dict[EvseKey, float]] = {}
        self.unconfirmed: dict[str, set[EvseKey]] = {}
        self.sequences: dict[str, int] = {}
        self.sessions: dict[str, dict[EvseKey, tuple[Demand, str]]] = {}
        self.lookups = 0
        self.unavailable = False
        for definition in definitions:
            self.sites[definition.site_id] = definition
            self.owners.update(dict.fromkeys(definition.evses, definition.site_id))

    def _check(self) -> None:
        if self.unavailable:
            raise SitesUnavailable("site storage: unavailable (fake)")

    async def put(self, definition: SiteDefinition) -> SiteDefinition | None:
        self._check()
        site_id = definition.site_id
        for key in definition.evses:
            owner = self.owners.get(key)
            if owner is not None and owner != site_id:
                raise EvseTaken(key, owner)
        previous = self.sites.get(site_id)
        for key in set(previous.evses if previous else ()) - set(definition.evses):
            del self.owners[key]
            self.installed.get(site_id, {}).pop(key, None)
            self.sessions.get(site_id, {}).pop(key, None)
        self.owners.update(dict.fromkeys(definition.evses, site_id))
        self.sites[site_id] = definition
        return previous

    async def get(self, site_id: str) -> SiteDefinition | None:
        self._check()
        return self.sites.get(site_id)

    async def list(self, page_size: int, page_token: str | None) -> tuple[list[SiteDefinition], str | None]:
        self._check()
        if page_token is not None:
            try:
                check_site_id(page_token)
            except BadSite as exc:
                raise InvalidPageToken("page token is not one this service issued") from exc
        ids = sorted(site_id for site_id in self.sites if page_token is None or site_id > page_token)
        page = [self.sites[site_id] for site_id in ids[:page_size]]
        return page, page[-1].site_id if len(ids) > page_size else None

    async def delete(self, site_id: str) -> SiteDefinition | None:
        self._check()
        previous = self.sites.pop(site_id, None)
        if previous is not None:
            for key in previous.evses:
                del self.owners[key]
            self.installed.pop(site_id, None)
            self.unconfirmed.pop(site_id, None)
            self.sessions.pop(site_id, None)
        return previous

    async def set_limit(self, site_id: str, limit: float) -> tuple[SiteDefinition, float] | None:
        self._check()
        previous = self.sites.get(site_id)
        if previous is None:
            return None
        self.sites[site_id] = with_site_limit(previous, limit)
        return self.sites[site_id], previous.site.limit

    async def site_of(self, key: EvseKey) -> str | None:
        self._check()
        self.lookups += 1
        return self.owners.get(key)

    async def load_state(self, site_id: str) -> SiteState | None:
        self._check()
        definition = self.sites.get(site_id)
        if definition is None:
            return None
        state = definition.state()
        state.installed = dict(self.installed.get(site_id, {}))
        state.unconfirmed = set(self.unconfirmed.get(site_id, set()))
        state.sequence = self.sequences.get(site_id, 0)
        for key, (demand, transaction_id) in self.sessions.get(site_id, {}).items():
            state.demands[key] = dataclasses.replace(demand)
            state.transactions[key] = transaction_id
        return state

    async def save_session(self, site_id: str, demand: Demand, transaction_id: str | None) -> None:
        self._check()
        if transaction_id is None or not demand.active:
            self.sessions.get(site_id, {}).pop(demand.key, None)
        else:
            self.sessions.setdefault(site_id, {})[demand.key] = (demand, transaction_id)

    async def save_installed(
        self, site_id: str, key: EvseKey, limit_a: float | None, *, unconfirmed: bool = False
    ) -> None:
        self._check()
        unconfirmed_of = self.unconfirmed.setdefault(site_id, set())
        unconfirmed_of.discard(key)
        if limit_a is None:
            self.installed.get(site_id, {}).pop(key, None)
        else:
            self.installed.setdefault(site_id, {})[key] = limit_a
            if unconfirmed:
                unconfirmed_of.add(key)

    async def current_sequence(self, site_id: str) -> int:
        self._check()
        return self.sequences.get(site_id, 0)

    async def next_sequence(self, site_id: str) -> int:
        self._check()
        self.sequences[site_id] = self.sequences.get(site_id, 0) + 1
        return self.sequences[site_id]
