"""Firmware campaigns under `/api/v1/firmware/campaigns`: create (targets: a station list and/or vendor, model and
current firmware version), list, show one with every station's progress, pause / resume / abort, and `PATCH` its
settings (e.g. raise the failure threshold of a halted campaign, then resume). Translation to FirmwareService's
campaign rpcs only (docs/adr/0040)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from pydantic import AnyUrl, BaseModel, Field

from csms.firmware.v1 import firmware_pb2 as fw
from csms_api.api import convert
from csms_api.api.auth import OPERATE, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.problems import documented, invalid

router = APIRouter(prefix="/api/v1/firmware/campaigns", tags=["firmware campaigns"])
Api = Annotated[ApiContext, Depends(context)]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM, UTC")]


class Window(BaseModel):
    start: ClockTime
    end: ClockTime = Field(description="Before start: the window wraps past midnight.")


class CampaignSettings(BaseModel):
    canary_size: int = Field(default=1, ge=1, description="Stations in the first (canary) wave.")
    wave_size: int = Field(default=10, ge=1, description="Stations in each later wave.")
    wave_interval_s: int = Field(default=0, ge=0, description="Least time between the starts of two waves.")
    concurrency: int = Field(default=10, ge=1, description="Most stations updating at once.")
    window: Window | None = Field(default=None, description="Daily UTC maintenance window (none: any time).")
    station_deadline_s: int = Field(default=1800, ge=1, description="An attempt without success by then failed.")
    max_retries: int = Field(default=1, ge=0, description="Further attempts of a station whose attempt failed.")
    failure_threshold: float = Field(
        default=0.1, ge=0, le=1, description="The campaign halts when more than this share of a wave failed."
    )
    offline_recheck_s: int = Field(default=30, ge=1, description="How often an offline station is tried again.")


class CampaignTarget(BaseModel):
    location: AnyUrl | None = Field(default=None, description="Where stations download the image.")
    image_id: str | None = Field(default=None, description="An uploaded image (instead of location).")
    version: str = Field(default="", description="The version a successful station boots with.")
    force: bool = Field(
        default=False,
        description="With image_id: send it to every station whatever its vendor/model (otherwise a station the "
        "image is not for fails for good at its turn, the reason naming both).",
    )


class NewCampaign(BaseModel):
    campaign_id: str | None = Field(default=None, max_length=100, description="Your id (a repeat returns it).")
    name: str = ""
    stations: list[str] = Field(default_factory=list, description="Explicit stations, in rollout order.")
    vendor: str | None = Field(default=None, description="And every known station of this vendor...")
    model: str | None = None
    current_version: str | None = Field(default=None, description="...running this firmware version.")
    target: CampaignTarget
    settings: CampaignSettings = Field(default_factory=CampaignSettings)


class CampaignStation(BaseModel):
    station_id: str
    state: str = Field(description="waiting, pending, updating, offline, succeeded or failed.")
    attempts: int
    wave: int | None
    reason: str | None
    version: str | None


class Campaign(BaseModel):
    campaign_id: str
    name: str
    status: Literal["running", "paused", "halted", "aborted", "completed"] | str
    target: CampaignTarget
    settings: CampaignSettings
    counts: dict[str, int] = Field(description="Stations per state.")
    waves: int = Field(description="Waves started so far.")
    halted_wave: int | None
    created_at: datetime | None
    updated_at: datetime | None
    stations: list[CampaignStation] | None = Field(
        default=None, description="GET one campaign only: one page of its stations, in station id order."
    )
    next_page_token: str | None = Field(default=None, description="GET one campaign: the next page's page_token.")


class Campaigns(BaseModel):
    campaigns: list[Campaign]


def settings_message(body: CampaignSettings) -> fw.CampaignSettings:
    message = fw.CampaignSettings(**body.model_dump(exclude={"window"}))
    if body.window is not None:
        message.window.CopyFrom(fw.CampaignWindow(start=body.window.start, end=body.window.end))
    return message


def campaign(message: fw.CampaignView, *, stations: bool = False) -> Campaign:
    settings = message.settings
    return Campaign(
        campaign_id=message.campaign_id,
        name=message.name,
        status=message.status,
        target=CampaignTarget(
            location=AnyUrl(message.target.location) if message.target.location else None,
            image_id=convert.text(message.target.image_id),
            version=message.target.version,
            force=message.target.force,
        ),
        settings=CampaignSettings(
            canary_size=settings.canary_size or 1,
            wave_size=settings.wave_size or 1,
            wave_interval_s=settings.wave_interval_s,
            concurrency=settings.concurrency or 1,
            window=Window(start=settings.window.start, end=settings.window.end)
            if settings.HasField("window")
            else None,
            station_deadline_s=settings.station_deadline_s or 1,
            max_retries=settings.max_retries,
            failure_threshold=settings.failure_threshold,
            offline_recheck_s=settings.offline_recheck_s or 1,
        ),
        counts=dict(message.counts),
        waves=message.waves,
        halted_wave=message.halted_wave if message.halted_wave >= 0 else None,
        created_at=convert.when(message, "created_at"),
        updated_at=convert.when(message, "updated_at"),
        stations=[
            CampaignStation(
                station_id=s.station_id,
                state=s.state,
                attempts=s.attempts,
                wave=s.wave if s.wave >= 0 else None,
                reason=convert.text(s.reason),
                version=convert.text(s.version),
            )
            for s in message.stations
        ]
        if stations
        else None,
        next_page_token=convert.text(message.next_page_token) if stations else None,
    )


@router.post("", dependencies=[OPERATE], status_code=201, responses=documented(409), summary="Start a campaign")
async def create_campaign(body: NewCampaign, api: Api, response: Response) -> Campaign:
    """Starts rolling the target out: the canary wave, then waves within the limits. 422: no station targeted,
    bad settings, both or neither of location and image_id."""
    if (body.target.location is None) == (body.target.image_id is None):
        raise invalid("body.target", "give exactly one of location and image_id")
    request = fw.CreateCampaignRequest(
        campaign_id=body.campaign_id or str(uuid.uuid4()),
        name=body.name,
        stations=body.stations,
        vendor=body.vendor or "",
        model=body.model or "",
        current_version=body.current_version or "",
        target=fw.CampaignTarget(
            version=body.target.version,
            image_id=body.target.image_id or "",
            location=str(body.target.location) if body.target.location is not None else "",
            force=body.target.force,
        ),
        settings=settings_message(body.settings),
    )
    made = campaign(await api.firmware.create_campaign(request))
    response.headers["Location"] = f"{router.prefix}/{made.campaign_id}"
    return made


@router.get("", dependencies=[READ], summary="Every campaign with its progress")
async def list_campaigns(api: Api) -> Campaigns:
    found = await api.firmware.list_campaigns()
    return Campaigns(campaigns=[campaign(c) for c in found.campaigns])


@router.get("/{campaign_id}", dependencies=[READ], responses=documented(404), summary="A campaign and its stations")
async def get_campaign(
    campaign_id: str,
    api: Api,
    page_size: Annotated[int, Query(ge=1, le=5000, description="Stations per page.")] = 1000,
    page_token: Annotated[str, Query(description="next_page_token of the previous page.")] = "",
) -> Campaign:
    """The campaign's summary (counts per state, waves, status) and one page of its stations."""
    return campaign(await api.firmware.get_campaign(campaign_id, page_size, page_token), stations=True)


@router.post(
    "/{campaign_id}/{action}",
    dependencies=[OPERATE],
    responses=documented(404, 409),
    summary="Pause, resume or abort a campaign",
)
async def control_campaign(campaign_id: str, action: Literal["pause", "resume", "abort"], api: Api) -> Campaign:
    """409 when the campaign's state does not allow it (e.g. resuming a running one, anything on an aborted one)."""
    request = fw.ControlCampaignRequest(campaign_id=campaign_id, action=action, control_id=str(uuid.uuid4()))
    return campaign(await api.firmware.control_campaign(request))


@router.patch("/{campaign_id}", dependencies=[OPERATE], responses=documented(404, 409), summary="Change settings")
async def change_settings(campaign_id: str, body: CampaignSettings, api: Api) -> Campaign:
    """Changes the settings given (the others keep their values), e.g. a higher failure_threshold before resuming
    a halted campaign."""
    current = campaign(await api.firmware.get_campaign(campaign_id)).settings
    merged = CampaignSettings.model_validate({**current.model_dump(), **body.model_dump(exclude_unset=True)})
    request = fw.ControlCampaignRequest(
        campaign_id=campaign_id, action="settings", settings=settings_message(merged), control_id=str(uuid.uuid4())
    )
    return campaign(await api.firmware.control_campaign(request))
