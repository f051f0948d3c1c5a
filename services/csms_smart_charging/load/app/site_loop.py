"""The site loop (a policy of the consumer group `smart_charging.load`, reading csms.smart_charging.events.v1):
the site-keyed events of a batch, per site, in order: an observed transaction event or connector status updates
the EVSE's session and recomputes when the allocation may change (LoadLoop); a site defined gets a TxDefaultProfile
at its idle limit on every member EVSE (queued for an offline station) and a recompute; a changed limit a
recompute. The sites of a batch are handled concurrently (at most `concurrency` at a time), each one's events one
after the other. Each site's state is loaded from the repository for every batch (so whichever instance is given
the site's partition resumes it: sessions, enforced limits, recompute number) and each changed session is stored
once its recompute is done (an event applied again after a crash recomputes again, under a new recompute number).
A site whose last recompute ended incomplete is recomputed again after a backoff (`run_retries`, SiteRetries),
under the site's lock, so a retry never runs beside the site's events. Side effects: the repository's
(Cassandra) and the pushes (gRPC to device-model)."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.load.app.loop import LoadLoop
from csms_smart_charging.load.app.manager import Recomputed
from csms_smart_charging.load.app.retries import SiteRetries
from csms_smart_charging.load.domain.profiles import tx_default_key, tx_default_profile
from csms_smart_charging.load.domain.sessions import observe, observe_status, on_evse
from csms_smart_charging.load.domain.site import EvseKey
from csms_smart_charging.load.domain.site_events import site_of_event
from csms_smart_charging.load.domain.state import SiteState
from csms_smart_charging.load.ports import SiteRepository

log = logging.getLogger(__name__)


class DefaultPusher(Protocol):
    async def push_default(
        self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str
    ) -> bool:
        """Installs the TxDefaultProfile once per request key (queued for an offline station); True when the
        station accepted it."""


class RunSiteLoops:
    def __init__(
        self,
        store: SiteRepository,
        loop: LoadLoop,
        defaults: DefaultPusher,
        stack_level: int,
        *,
        retries: SiteRetries,
        concurrency: int = 64,
    ) -> None:
        self._store = store
        self._loop = loop
        self._defaults = defaults
        self._stack_level = stack_level
        self._retries = retries
        self._slots = asyncio.Semaphore(concurrency)
        self._locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def after_writes(self, events: Sequence[smart_charging_pb2.SmartChargingEvent], state: None) -> None:
        by_site: dict[str, list[smart_charging_pb2.SmartChargingEvent]] = {}
        for event in events:
            site_id = site_of_event(event)
            if site_id is not None:
                by_site.setdefault(site_id, []).append(event)
        outcomes = await asyncio.gather(
            *(self.run_site(site_id, site_events) for site_id, site_events in by_site.items()),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def run_site(self, site_id: str, events: Sequence[smart_charging_pb2.SmartChargingEvent]) -> None:
        """The site's events in order, once a slot is free and no retry of the site is running."""
        async with self._slots, self._locks[site_id]:
            state = await self._store.load_state(site_id)
            if state is None:
                self._retries.complete(site_id)
                return
            last: Recomputed | None = None
            for event in events:
                which = event.WhichOneof("event")
                if which == "site_observed":
                    last = await self._observed(state, event.site_observed) or last
                elif which == "site_defined":
                    await self._install_defaults(state)
                    last = await self._loop.recompute(state)
                elif which == "site_limit_changed":
                    last = await self._loop.recompute(state)
                elif which == "site_deleted":
                    self._retries.complete(site_id)
                    return
            if last is not None:
                self._after(site_id, last)

    async def run_retries(self) -> None:
        """Runs until cancelled: recomputes again each site whose last recompute ended incomplete, when due."""
        await self._retries.run(self._retry)

    async def _retry(self, site_id: str) -> None:
        try:
            async with self._slots, self._locks[site_id]:
                state = await self._store.load_state(site_id)
                if state is None:
                    self._retries.complete(site_id)
                    return
                log.info("site %s: retrying its incomplete recompute", site_id)
                self._after(site_id, await self._loop.recompute(state))
        except Exception:
            log.exception("site %s: retry failed", site_id)
            self._retries.incomplete(site_id)

    def _after(self, site_id: str, recomputed: Recomputed) -> None:
        if recomputed.complete:
            self._retries.complete(site_id)
            return
        delay = self._retries.incomplete(site_id)
        log.info("site %s: recompute %d incomplete; retried in %.1f s", site_id, recomputed.sequence, delay)

    async def _observed(self, state: SiteState, observed: smart_charging_pb2.SiteObserved) -> Recomputed | None:
        observation = observe_status(observed.status) if observed.HasField("status") else observe(observed.transaction)
        if observation is None:
            return None
        key = on_evse(observation, state.transactions).key
        before = (state.demands.get(key), state.transactions.get(key))
        recomputed = await self._loop.on_observation(state, observation)
        demand, transaction_id = state.demands.get(key), state.transactions.get(key)
        if demand is not None and (demand, transaction_id) != before:
            await self._store.save_session(state.site.site_id, demand, transaction_id)
        return recomputed

    async def _install_defaults(self, state: SiteState) -> None:
        site = state.site
        sequence = await self._store.next_sequence(site.site_id)
        keys: list[EvseKey] = sorted(state.demands)
        answers = await asyncio.gather(
            *(
                self._defaults.push_default(
                    key.station_id,
                    key.evse_id,
                    tx_default_profile(key.evse_id, site.idle_limit_a, state.demands[key].phases, self._stack_level),
                    request_key=tx_default_key(site.site_id, sequence, key.station_id, key.evse_id),
                )
                for key in keys
            ),
            return_exceptions=True,
        )
        for key, answer in zip(keys, answers, strict=True):
            if answer is not True:
                log.warning(
                    "site %s: TxDefaultProfile %.1f A for %s not installed: %s",
                    site.site_id,
                    site.idle_limit_a,
                    key,
                    "not accepted (yet)" if answer is False else repr(answer),
                )
