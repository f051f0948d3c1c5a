"""Recomputes a site's allocation and pushes it: the lowers first, all of them answered before any raise is
sent, so the site stays within its limit while the profiles travel (domain/pushes.py). A lower the station did
accept (or that failed) leaves the raises unsent (the site stays within its limit on the old limits and the
accepted lowers) and the site due for another recompute; it is logged. Each recompute is numbered and the push
request keys carry the number; with a `SiteJournal` the number is stored before anything is sent, and each limit
a station accepted (or an EVSE going idle) as soon as it is known, so after a restart no request key is used again
for other content and the enforced limits are known. Side effects: the ProfilePusher's (gRPC to device-model), the
journal's (Cassandra), logs."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from csms_smart_charging.load.domain.allocator import Allocation, allocate
from csms_smart_charging.load.domain.profiles import request_key, tx_profile
from csms_smart_charging.load.domain.pushes import Push, PushPlan, plan_pushes
from csms_smart_charging.load.domain.site import Demand, EvseKey
from csms_smart_charging.load.domain.state import SiteState

log = logging.getLogger(__name__)


class ProfilePusher(Protocol):
    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool | None:
        """Installs the profile once per request key and returns once the station answered: True when it
        accepted it, False when it refused it, None when the outcome is unknown (no answer in time: the station
        may still install it)."""


class SiteJournal(Protocol):
    """Where a site's recompute numbers and enforced limits are stored (the site repository)."""

    async def next_sequence(self, site_id: str) -> int:
        """Increments and returns the site's recompute number, stored before it returns."""

    async def save_installed(
        self, site_id: str, key: EvseKey, limit_a: float | None, *, unconfirmed: bool = False
    ) -> None:
        """Stores the limit the EVSE enforces (accepted by its station; `unconfirmed`: sent without an answer, it
        may); None forgets it (the EVSE went idle)."""

    async def current_sequence(self, site_id: str) -> int:
        """The site's latest recompute number."""


@dataclass(frozen=True)
class Recomputed:
    allocation: Allocation
    plan: PushPlan
    sequence: int
    complete: bool
    seconds: float


class LoadManager:
    def __init__(
        self,
        pusher: ProfilePusher,
        *,
        stack_level: int,
        min_raise_a: float,
        clock: Callable[[], float] = time.monotonic,
        journal: SiteJournal | None = None,
    ) -> None:
        self._pusher = pusher
        self._journal = journal
        self._stack_level = stack_level
        self._min_raise_a = min_raise_a
        self._clock = clock

    async def recompute(self, state: SiteState) -> Recomputed:
        """Allocates, pushes, and records in `state` what the stations accepted."""
        started = self._clock()
        site_id = state.site.site_id
        if self._journal is None:
            state.sequence += 1
        else:
            state.sequence = await self._journal.next_sequence(site_id)
        for key in [key for key, demand in state.demands.items() if not demand.active and key in state.installed]:
            del state.installed[key]
            state.unconfirmed.discard(key)
            if self._journal is not None:
                await self._journal.save_installed(site_id, key, None)
        allocation = allocate(state.site, list(state.demands.values()))
        plan = plan_pushes(state.installed, allocation, self._min_raise_a, state.unconfirmed)
        log.info(
            "site %s: recompute %d: lowers %s, raises %s",
            site_id,
            state.sequence,
            [(str(push.key), round(push.previous_a, 1), round(push.limit_a, 1)) for push in plan.lowers],
            [(str(push.key), round(push.previous_a, 1), round(push.limit_a, 1)) for push in plan.raises],
        )
        complete = await self._send(state, plan.lowers)
        if complete and plan.raises and not await self._still_latest(state):
            log.warning(
                "site %s: recompute %d overtaken by a newer one; its raises are not sent", site_id, state.sequence
            )
            complete = False
        if complete:
            complete = await self._send(state, plan.raises)
        return Recomputed(allocation, plan, state.sequence, complete, self._clock() - started)

    async def _still_latest(self, state: SiteState) -> bool:
        """No other recompute of the site started since this one (another instance holding the site's partition
        for a moment, during a rebalance): the raises of an overtaken recompute could add to the newer one's."""
        return self._journal is None or await self._journal.current_sequence(state.site.site_id) == state.sequence

    async def _remember(self, state: SiteState, key: EvseKey, limit_a: float, *, unconfirmed: bool = False) -> None:
        state.installed[key] = limit_a
        if unconfirmed:
            state.unconfirmed.add(key)
        else:
            state.unconfirmed.discard(key)
        if self._journal is not None:
            await self._journal.save_installed(state.site.site_id, key, limit_a, unconfirmed=unconfirmed)

    async def _send(self, state: SiteState, pushes: tuple[Push, ...]) -> bool:
        sendable = [push for push in pushes if push.key in state.transactions]
        answers = await asyncio.gather(
            *(
                self._pusher.push(
                    push.key.station_id,
                    push.key.evse_id,
                    tx_profile(push, state.transactions[push.key], self._stack_level),
                    request_key=request_key(state.site.site_id, state.sequence, push),
                )
                for push in sendable
            ),
            return_exceptions=True,
        )
        accepted = True
        for push, answer in zip(sendable, answers, strict=True):
            if answer is True:
                await self._remember(state, push.key, push.limit_a)
                continue
            accepted = False
            if answer is not False and push.limit_a > push.previous_a:
                # Outcome unknown: the station may still install the raise; count it at the higher limit, and send it
                # again with the next recompute.
                await self._remember(state, push.key, push.limit_a, unconfirmed=True)
            log.warning(
                "site %s: TxProfile %.1f A for %s not installed (recompute %d): %s",
                state.site.site_id,
                push.limit_a,
                push.key,
                state.sequence,
                "refused by the station" if answer is False else "no answer" if answer is None else repr(answer),
            )
        return accepted and len(sendable) == len(pushes)


def with_demand(state: SiteState, demand: Demand, transaction_id: str | None) -> SiteState:
    """`state` with the EVSE's demand replaced (a session started, ended, or its draw changed)."""
    state.demands[demand.key] = demand
    if transaction_id is None:
        state.transactions.pop(demand.key, None)
    else:
        state.transactions[demand.key] = transaction_id
    return state


def with_limit(state: SiteState, limit: float) -> SiteState:
    """`state` with the site's limit changed (an operator's or a grid operator's signal)."""
    state.site = dataclasses.replace(state.site, limit=limit)
    return state
