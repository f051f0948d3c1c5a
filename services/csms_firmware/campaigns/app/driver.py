"""The campaign driver: each tick, for every active campaign whose lease this instance holds (one driver per
campaign across the firmware instances), folds the campaign's new events (operator controls included), reads the
firmware history of its stations with an update in progress, records what `plan` decides and hands the chosen
attempts over, each under its attempt key. Side effects: the campaign log, the leases, the firmware history read
model and device-model (through the StationUpdates port).

Crash safety: the state is only ever the fold of recorded events; a driver taking over after a crash (the lease
expired, so the old driver's last events are at least a lease old) rebuilds it from the read model, and any
decision it makes again is the same event (same id) and the same attempt key, so no station gets a second
UpdateFirmware for an attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from csms_firmware.campaigns.domain.campaign import (
    AttemptStarted,
    Campaign,
    Event,
    Outcome,
    StationState,
    apply,
    attempt_key,
    plan,
    rebuild,
    refused,
    started,
)
from csms_firmware.campaigns.domain.outcome import attempt_outcome
from csms_firmware.campaigns.ports import AttemptRefused, CampaignLeases, CampaignLog, StationOffline, StationUpdates
from csms_firmware.domain.history import station_history
from csms_firmware.ports import FirmwareHistory

log = logging.getLogger(__name__)

RELOAD_OVERLAP = timedelta(seconds=60)
"""Events are re-read this far back on each tick, so one that reached the read model late is still folded."""
IN_FLIGHT = 32
"""History reads and attempt hand-overs a tick runs at once (one after the other, 500 updating stations made a
tick last many seconds and a 10,000-station campaign dispatch about 5 stations a second)."""


class CampaignDriver:
    def __init__(
        self,
        campaigns: CampaignLog,
        leases: CampaignLeases,
        updates: StationUpdates,
        history: FirmwareHistory,
        clock: Callable[[], datetime],
        *,
        owner: str,
        lease_ttl_s: int,
        tick_s: float,
    ) -> None:
        self._log = campaigns
        self._leases = leases
        self._updates = updates
        self._history = history
        self._clock = clock
        self._owner = owner
        self._lease_ttl_s = lease_ttl_s
        self._tick_s = tick_s
        self._driven: dict[str, Campaign] = {}

    async def run(self) -> None:
        while True:
            try:
                await self.tick()
            except Exception:
                log.exception("campaign driver tick failed; retrying")
            await asyncio.sleep(self._tick_s)

    async def tick(self) -> None:
        for campaign_id in await self._log.active():
            if not await self._leases.hold(campaign_id, self._owner, self._lease_ttl_s):
                self._driven.pop(campaign_id, None)
                continue
            try:
                campaign = await self._refresh(campaign_id)
                if campaign is not None:
                    await self._drive(campaign)
            except Exception:
                # what is recorded is the truth: fold it again from the log next time
                self._driven.pop(campaign_id, None)
                raise

    def driven(self, campaign_id: str) -> Campaign | None:
        return self._driven.get(campaign_id)

    async def _refresh(self, campaign_id: str) -> Campaign | None:
        campaign = self._driven.get(campaign_id)
        if campaign is None:
            campaign = rebuild(await self._log.load(campaign_id))
        else:
            since = (campaign.updated_at or self._clock()) - RELOAD_OVERLAP
            for found in await self._log.load(campaign_id, since):
                apply(campaign, found)
        if campaign is not None:
            self._driven[campaign_id] = campaign
        return campaign

    async def _drive(self, campaign: Campaign) -> None:
        target = campaign.spec.target
        limit = asyncio.Semaphore(IN_FLIGHT)

        async def outcome(station: str) -> tuple[str, Outcome]:
            async with limit:
                history = station_history(await self._history.events(station))
            key = attempt_key(campaign.campaign_id, station, campaign.stations[station].attempts)
            return station, attempt_outcome(history, key, target.version)

        outcomes = dict(await asyncio.gather(*map(outcome, campaign.in_state(StationState.UPDATING))))
        decided = plan(campaign, self._clock(), outcomes)
        await self._log.append(decided.events)

        async def dispatch(attempt: AttemptStarted) -> Event:
            key = attempt_key(campaign.campaign_id, attempt.station_id, attempt.attempt)
            try:
                async with limit:
                    await self._updates.update(attempt.station_id, target, key)
            except StationOffline:
                return started(campaign, self._clock(), attempt, offline=True)
            except AttemptRefused as exc:
                return refused(campaign, self._clock(), attempt, str(exc))
            return started(campaign, self._clock(), attempt, offline=False)

        # Every hand-over is tried (one failing transiently fails the tick after the others are recorded); what
        # was handed over is recorded, and what was not is decided again next tick under the same attempt keys.
        results = await asyncio.gather(*map(dispatch, decided.dispatch), return_exceptions=True)
        await self._log.append([made for made in results if isinstance(made, Event)])
        for failure in results:
            if isinstance(failure, BaseException):
                raise failure
