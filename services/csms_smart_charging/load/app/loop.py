"""The recompute loop's use cases on a site's state: a transaction event (session started, ended, draw or phase
count changed) or a connector status (out of service or back, a car suspended or resumed) of one of its EVSEs, a
new site limit (an operator's or a grid operator's signal), or a changed definition updates the site and, when
the allocation may change, recomputes and pushes it. One recompute at a time per site (a lock per site), so the
lowers of one allocation are never overtaken by the raises of another. Side effects: the LoadManager's."""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict

from csms.transactions.v1 import transactions_pb2
from csms_smart_charging.load.app.manager import LoadManager, Recomputed, with_demand, with_limit
from csms_smart_charging.load.domain.sessions import Change, Observation, apply, calls_for_recompute, observe, on_evse
from csms_smart_charging.load.domain.site import BadSite
from csms_smart_charging.load.domain.state import SiteState


class UnknownSite(LookupError):
    """No site of that id."""


class LoadLoop:
    def __init__(self, manager: LoadManager, headroom_a: float) -> None:
        self._manager = manager
        self._headroom_a = headroom_a
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def on_site_event(self, state: SiteState, event: transactions_pb2.TransactionEvent) -> Recomputed | None:
        """The recompute an event of one of the site's EVSEs led to, if any (an EVSE not on it: none)."""
        observation = observe(event)
        return None if observation is None else await self.on_observation(state, observation)

    async def on_observation(self, state: SiteState, observation: Observation) -> Recomputed | None:
        """The recompute an observation (a transaction event, a connector's status) of one of the site's EVSEs
        led to, if any."""
        async with self._locks[state.site.site_id]:
            observation = on_evse(observation, state.transactions)
            before = state.demands.get(observation.key)
            if before is None:
                return None
            after = apply(before, observation, state.installed.get(observation.key), self._headroom_a)
            transaction = {
                Change.ENDED: None,
                Change.STARTED: observation.transaction_id,
                Change.METERED: state.transactions.get(observation.key),
                Change.STATUS: state.transactions.get(observation.key),
            }[observation.change]
            if not calls_for_recompute(before, after) and state.transactions.get(observation.key) == transaction:
                if before.active and after.connector_id != before.connector_id:
                    # The connector in use, learnt from a status: kept so the other connectors' statuses do not count.
                    with_demand(state, dataclasses.replace(before, connector_id=after.connector_id), transaction)
                return None
            with_demand(state, after, transaction)
            return await self._manager.recompute(state)

    async def set_limit(self, state: SiteState, limit: float) -> Recomputed:
        """Raises BadSite for a limit that is not a finite number >= 0."""
        async with self._locks[state.site.site_id]:
            try:
                with_limit(state, limit)
            except BadSite as error:
                raise BadSite(f"site {state.site.site_id}: {error}") from error
            return await self._manager.recompute(state)

    async def recompute(self, state: SiteState) -> Recomputed:
        """Recomputes the site as it is (its definition or limit changed)."""
        async with self._locks[state.site.site_id]:
            return await self._manager.recompute(state)
