"""What campaigns need (Protocols): the campaign event log and its read model, a lease per campaign, a way to
hand one station's attempt to the firmware requests, and device-model's station list (adapters in
campaigns/adapters/, fakes in tests/kit/fakes/firmware_campaigns.py)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from csms.device_model.v1 import device_model_pb2
from csms.firmware.v1 import firmware_pb2
from csms_firmware.campaigns.domain.campaign import Event, Target


class StationOffline(Exception):
    """The station is not connected: the attempt is handed over again when it is."""


class AttemptRefused(Exception):
    """Device-model refused the attempt for good (unknown station, a version that cannot say it); the message
    says why."""


class CampaignLog(Protocol):
    async def append(self, events: Sequence[Event]) -> None:
        """Appends the events to the campaign event log (acknowledged when it returns)."""

    async def load(self, campaign_id: str, since: datetime | None = None) -> list[Event]:
        """The campaign's events recorded at or after `since` (all without), oldest first, from the read model."""

    async def active(self) -> list[str]:
        """The ids of the campaigns that are neither aborted nor completed."""

    async def listed(self) -> list[tuple[str, bool]]:
        """Every campaign id with whether it is over (aborted or completed)."""

    async def make_readable(self, created: Event) -> None:
        """Writes the read model of a just appended `Created` event (what the projector writes for it), so the
        campaign is readable before the projector got to it."""

    async def folded(self, campaign_id: str) -> int | None:
        """How many events the campaign's summary was folded from (None: no summary yet)."""

    async def summary(self, campaign_id: str) -> firmware_pb2.CampaignView | None:
        """The campaign's summary (no stations) from the read model; None when there is none."""

    async def summaries(self) -> list[firmware_pb2.CampaignView]:
        """Every campaign's summary, in campaign id order."""

    async def stations(
        self, campaign_id: str, page_size: int, after: str
    ) -> tuple[list[firmware_pb2.CampaignStation], bool]:
        """Up to `page_size` of the campaign's stations with an id after `after`, in id order, and whether more
        follow."""


class CampaignLeases(Protocol):
    async def hold(self, campaign_id: str, owner: str, ttl_s: int) -> bool:
        """Takes the campaign's lease for `ttl_s` seconds, or renews it when `owner` holds it; False when another
        owner holds it."""


class StationUpdates(Protocol):
    async def update(self, station_id: str, target: Target, request_key: str) -> None:
        """Hands the update to device-model under `request_key` (a repeat: the same command, never a second
        UpdateFirmware). Raises StationOffline, AttemptRefused, or anything else for a transient failure."""


class StationDirectory(Protocol):
    async def stations(self) -> list[device_model_pb2.Station]:
        """Every station device-model knows (vendor, model and firmware version of its last boot)."""

    async def station(self, station_id: str) -> device_model_pb2.Station | None:
        """One station as device-model knows it; None when it has never booted."""
