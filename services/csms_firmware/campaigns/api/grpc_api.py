"""FirmwareService's campaign rpcs (mixed into the servicer): create (targets resolved from the explicit list
and device-model's stations; answered once the campaign is readable: its read model is written with the
projection's own writes), list and show (the summaries the campaigns projector keeps, and one page of a campaign's
stations: nothing is folded on a read) and the operator's controls (checked against the campaign folded from its
events), each recorded as one event on csms.firmware.campaigns.v1 for the campaign's driver to follow. Bad
settings or targets are INVALID_ARGUMENT naming the field; an unknown campaign NOT_FOUND; a control its state does
not allow FAILED_PRECONDITION; Kafka unreachable UNAVAILABLE."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import grpc

from csms.firmware.v1 import firmware_pb2 as fw
from csms_firmware.campaigns.domain.campaign import (
    Aborted,
    BadCampaign,
    Campaign,
    Change,
    Created,
    Paused,
    Resumed,
    SettingsChanged,
    Spec,
    Target,
    control,
    event,
    rebuild,
)
from csms_firmware.campaigns.domain.messages import settings_of, view
from csms_firmware.campaigns.domain.targets import has_filters, targeted
from csms_firmware.campaigns.ports import CampaignLog, StationDirectory
from csms_kernel.ocpp.station_ids import InvalidStationId, check_station_id
from csms_kernel.outbox.relay import EventLogUnavailable

Context = grpc.aio.ServicerContext[Any, Any]
MAX_ID = 100
PAGE_SIZE = 1000
MAX_PAGE_SIZE = 5000
CONTROLS: dict[str, Callable[[], Change]] = {"pause": Paused, "resume": Resumed, "abort": Aborted}


class CampaignRpcs:
    def __init__(self, campaigns: CampaignLog, directory: StationDirectory, clock: Callable[[], datetime]) -> None:
        self._campaigns = campaigns
        self._directory = directory
        self._campaign_clock = clock

    async def CreateCampaign(self, request: fw.CreateCampaignRequest, context: Context) -> fw.CampaignView:
        campaign_id = request.campaign_id or str(uuid.uuid4())
        if len(campaign_id) > MAX_ID:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"campaign_id: at most {MAX_ID} characters")
        known = await self._campaigns.summary(campaign_id)
        if known is not None:
            return known
        try:
            for station in request.stations:
                check_station_id(station)
            known_stations = []
            if has_filters(request.vendor, request.model, request.current_version):
                known_stations = await self._directory.stations()
            spec = Spec(
                campaign_id,
                targeted(
                    request.stations,
                    known_stations,
                    vendor=request.vendor,
                    model=request.model,
                    current_version=request.current_version,
                ),
                Target(request.target.version, request.target.image_id, request.target.location, request.target.force),
                settings_of(request.settings),
                request.name,
            )
            spec.check()
        except (BadCampaign, InvalidStationId) as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        except grpc.aio.AioRpcError as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"device-model's station list: {exc.details()}")
        created = event(campaign_id, self._campaign_clock(), Created(spec))
        await self._append(context, [created])
        await self._campaigns.make_readable(created)
        campaign = rebuild([created])
        assert campaign is not None
        return view(campaign, stations=False)

    async def ListCampaigns(self, request: fw.ListCampaignsRequest, context: Context) -> fw.ListCampaignsResponse:
        return fw.ListCampaignsResponse(campaigns=await self._campaigns.summaries())

    async def GetCampaign(self, request: fw.GetCampaignRequest, context: Context) -> fw.CampaignView:
        found = await self._campaigns.summary(request.campaign_id) if request.campaign_id else None
        if found is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no campaign {request.campaign_id!r}")
        if request.page_size > MAX_PAGE_SIZE:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"page_size: at most {MAX_PAGE_SIZE}")
        stations, more = await self._campaigns.stations(
            request.campaign_id, request.page_size or PAGE_SIZE, request.page_token
        )
        found.stations.extend(stations)
        if more:
            found.next_page_token = stations[-1].station_id
        return found

    async def ControlCampaign(self, request: fw.ControlCampaignRequest, context: Context) -> fw.CampaignView:
        campaign = await self._campaign(context, request.campaign_id)
        change: Change
        try:
            if request.action == "settings":
                change = SettingsChanged(settings_of(request.settings))
            elif request.action in CONTROLS:
                change = CONTROLS[request.action]()
            else:
                raise BadCampaign(f"action must be one of pause, resume, abort, settings; got {request.action!r}")
        except BadCampaign as exc:
            await context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(exc))
        try:
            control(campaign, change)
        except BadCampaign as exc:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, str(exc))
        made = event(
            campaign.campaign_id, self._campaign_clock(), change, control_id=request.control_id or str(uuid.uuid4())
        )
        await self._append(context, [made])
        updated = rebuild([*await self._campaigns.load(campaign.campaign_id), made])
        assert updated is not None
        return view(updated, stations=False)

    async def _campaign(self, context: Context, campaign_id: str) -> Campaign:
        campaign = rebuild(await self._campaigns.load(campaign_id)) if campaign_id else None
        if campaign is None:
            await context.abort(grpc.StatusCode.NOT_FOUND, f"no campaign {campaign_id!r}")
        return campaign

    async def _append(self, context: Context, events: list[Any]) -> None:
        try:
            await self._campaigns.append(events)
        except EventLogUnavailable as exc:
            await context.abort(grpc.StatusCode.UNAVAILABLE, f"the campaign event log is unavailable: {exc}")
