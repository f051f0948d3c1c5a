"""In-memory fakes of the campaign ports: the campaign event log (its read model is the list itself), the
leases (expiring on the test's clock) and device-model's station list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from csms.device_model.v1 import device_model_pb2
from csms_firmware.campaigns.domain.campaign import ACTIVE, Event, rebuild


@dataclass
class ListedCampaignLog:
    events: list[Event] = field(default_factory=list)

    async def append(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    async def load(self, campaign_id: str, since: datetime | None = None) -> list[Event]:
        return [e for e in self.events if e.campaign_id == campaign_id and (since is None or e.at >= since)]

    async def active(self) -> list[str]:
        return [campaign_id for campaign_id, over in await self.listed() if not over]

    async def listed(self) -> list[tuple[str, bool]]:
        found = []
        for campaign_id in sorted({e.campaign_id for e in self.events}):
            campaign = rebuild(e for e in self.events if e.campaign_id == campaign_id)
            if campaign is not None:
                found.append((campaign_id, campaign.status not in ACTIVE))
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


@dataclass
class ListedStations:
    """Device-model's station list."""

    known: list[device_model_pb2.Station]

    async def stations(self) -> list[device_model_pb2.Station]:
        return list(self.known)

    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        return next((s for s in self.known if s.station_id == station_id), None)
