"""In-memory fakes of the campaign driver's ports: the campaign event log (its read model is the list itself)
and the leases (expiring on the test's clock)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from csms_firmware.campaigns.domain.campaign import ACTIVE, Event, rebuild


@dataclass
class ListedCampaignLog:
    events: list[Event] = field(default_factory=list)

    async def append(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    async def load(self, campaign_id: str, since: datetime | None = None) -> list[Event]:
        return [e for e in self.events if e.campaign_id == campaign_id and (since is None or e.at >= since)]

    async def active(self) -> list[str]:
        found = []
        for campaign_id in dict.fromkeys(e.campaign_id for e in self.events):
            campaign = rebuild(e for e in self.events if e.campaign_id == campaign_id)
            if campaign is not None and campaign.status in ACTIVE:
                found.append(campaign_id)
        return found


@dataclass
class ClockedLeases:
    clock: Callable[[], datetime]
    held: dict[str, tuple[str, datetime]] = field(default_factory=dict)

    async def hold(self, campaign_id: str, owner: str, ttl_s: int) -> bool:
        now = self.clock()
        holder = self.held.get(campaign_id)
        if holder is not None and holder[0] != owner and holder[1] > now:
            return False
        self.held[campaign_id] = (owner, now + timedelta(seconds=ttl_s))
        return True
