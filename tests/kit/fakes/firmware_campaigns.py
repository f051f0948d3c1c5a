"""In-memory fakes of the campaign ports: the campaign event log (its read model is the list itself, folded on
every read; `readable` False hides a campaign's summary and stations as a projector that has not caught up would),
the leases (expiring on the test's clock) and device-model's station list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.campaigns.domain.campaign import ACTIVE, Campaign, Event, rebuild
from csms_firmware.campaigns.domain.messages import view


@dataclass
class ListedCampaignLog:
    events: list[Event] = field(default_factory=list)
    readable: bool = True
    made_readable: list[str] = field(default_factory=list)

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

    async def make_readable(self, created: Event) -> None:
        self.made_readable.append(created.campaign_id)

    def _folded(self, campaign_id: str) -> Campaign | None:
        if not self.readable and campaign_id not in self.made_readable:
            return None
        return rebuild(e for e in self.events if e.campaign_id == campaign_id)

    async def folded(self, campaign_id: str) -> int | None:
        campaign = self._folded(campaign_id)
        return None if campaign is None else len(campaign.seen)

    async def summary(self, campaign_id: str) -> firmware_pb2.CampaignView | None:
        campaign = self._folded(campaign_id)
        return None if campaign is None else view(campaign, stations=False)

    async def summaries(self) -> list[firmware_pb2.CampaignView]:
        found = [await self.summary(campaign_id) for campaign_id, _over in await self.listed()]
        return [summary for summary in found if summary is not None]

    async def stations(
        self, campaign_id: str, page_size: int, after: str
    ) -> tuple[list[firmware_pb2.CampaignStation], bool]:
        campaign = self._folded(campaign_id)
        if campaign is None:
            return [], False
        every = view(campaign, stations=True).stations
        following = sorted((s for s in every if s.station_id > after), key=lambda s: s.station_id)
        return following[:page_size], len(following) > page_size


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
