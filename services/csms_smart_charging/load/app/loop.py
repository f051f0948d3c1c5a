"""The recompute loop's use cases: a transaction event (session started, ended, draw or phase count changed) or
a new site limit (an operator's or a grid operator's signal) updates the site it concerns and, when the
allocation may change, recomputes and pushes it. One recompute at a time per site (a lock per site), so the
lowers of one allocation are never overtaken by the raises of another. Side effects: the LoadManager's."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Protocol

from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.app.manager import LoadManager, Recomputed, with_demand, with_limit
from csms_smart_charging.load.domain.sessions import Change, apply, calls_for_recompute, observe
from csms_smart_charging.load.domain.site import BadSite, EvseKey
from csms_smart_charging.load.domain.state import SiteState


class UnknownSite(LookupError):
    """No site of that id."""


class Sites(Protocol):
    def site_of(self, key: EvseKey) -> SiteState | None:
        """The state of the site the EVSE belongs to; None when it is on no site."""

    def get(self, site_id: str) -> SiteState | None: ...


class LoadLoop:
    def __init__(self, sites: Sites, manager: LoadManager, headroom_a: float) -> None:
        self._sites = sites
        self._manager = manager
        self._headroom_a = headroom_a
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def on_event(self, event: transactions_pb2.TransactionEvent) -> Recomputed | None:
        """The recompute the event led to, if any."""
        observation = observe(event)
        if observation is None:
            return None
        state = self._sites.site_of(observation.key)
        if state is None:
            return None
        return await self.on_site_event(state, event)

    async def on_site_event(self, state: SiteState, event: transactions_pb2.TransactionEvent) -> Recomputed | None:
        """The recompute an event of one of the site's EVSEs led to, if any (an EVSE not on it: none)."""
        observation = observe(event)
        if observation is None:
            return None
        async with self._locks[state.site.site_id]:
            before = state.demands.get(observation.key)
            if before is None:
                return None
            after = apply(before, observation, state.installed.get(observation.key), self._headroom_a)
            transaction = {
                Change.ENDED: None,
                Change.STARTED: observation.transaction_id,
                Change.METERED: state.transactions.get(observation.key),
            }[observation.change]
            if not calls_for_recompute(before, after) and state.transactions.get(observation.key) == transaction:
                return None
            with_demand(state, after, transaction)
            return await self._manager.recompute(state)

    async def recompute(self, state: SiteState) -> Recomputed:
        """Recomputes the site as it is (its definition or limit changed)."""
        async with self._locks[state.site.site_id]:
            return await self._manager.recompute(state)

    async def set_limit(self, site_id: str, limit: float) -> Recomputed:
        """Raises UnknownSite, or BadSite for a limit that is not a finite number >= 0."""
        state = self._sites.get(site_id)
        if state is None:
            raise UnknownSite(f"no site {site_id!r}")
        async with self._locks[site_id]:
            try:
                with_limit(state, limit)
            except BadSite as error:
                raise BadSite(f"site {site_id}: {error}") from error
            return await self._manager.recompute(state)
