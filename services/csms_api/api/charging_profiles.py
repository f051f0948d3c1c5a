"""A station's charging profiles under `/api/v1/stations/{id}`: `POST charging-profiles` (install one),
`POST charging-profiles/clear`, `POST charging-profiles/report` (2.x: the station reports what it has),
`POST composite-schedule` (ask for it) — each handed to device-model's commands by the smart-charging service,
exactly once per `Idempotency-Key` — and `GET charging-profiles` (the CSMS's view: installed profiles, every
request with its answer, the latest composite schedule, the station's reports), `GET composite-schedule` (the
latest answered one). The params are the commands' neutral params (docs/adr/0041); the station's version
decides what it can express (422 otherwise). Translation to SmartChargingService only."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms_api.api import convert
from csms_api.api.auth import OPERATE, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.problems import documented, invalid
from csms_api.api.stations import StationId

router = APIRouter(prefix="/api/v1", tags=["charging profiles"])
Api = Annotated[ApiContext, Depends(context)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=150,
        description="Your name for this request: a repeat with the same key returns the request the first one made"
        " and sends the station nothing again; 409 when the key named another request of the station.",
    ),
]
Purpose = Literal["ChargingStationMaxProfile", "TxDefaultProfile", "TxProfile", "ChargingStationExternalConstraints"]
Origin = Literal["operator", "reinstall", "load", "ev_needs"]
_ORIGINS: dict[int, Origin] = {
    sc.REQUEST_ORIGIN_OPERATOR: "operator",
    sc.REQUEST_ORIGIN_REINSTALL: "reinstall",
    sc.REQUEST_ORIGIN_LOAD: "load",
    sc.REQUEST_ORIGIN_EV_NEEDS: "ev_needs",
}


class Delivery(BaseModel):
    queue_if_offline: bool = Field(
        default=False, description="Keep it for an offline station, sent once it is back (409 otherwise)."
    )
    expires_in: float | None = Field(
        default=None, gt=0, description="Seconds until a queued request expires (default: the service's)."
    )


class SetProfile(Delivery):
    evse_id: int = Field(ge=0, description="0: the whole station (ChargingStationMaxProfile); 1.6: the connector.")
    profile: dict[str, Any] = Field(
        description="id, stack_level, purpose, kind (Absolute, Recurring, Relative), recurrency_kind, valid_from, "
        "valid_to, transaction_id, schedules: [{id, start_schedule, duration, charging_rate_unit (A, W), "
        "min_charging_rate, periods: [{start_period, limit, number_phases}]}] (one schedule on 1.6 and 2.0.1)."
    )


class ClearProfiles(Delivery):
    id: int | None = Field(default=None, ge=0, description="The profile id; or the criteria below.")
    evse_id: int | None = Field(default=None, ge=0)
    purpose: Purpose | None = None
    stack_level: int | None = Field(default=None, ge=0)


class ReportProfiles(Delivery):
    evse_id: int | None = Field(default=None, ge=0)
    purpose: Purpose | None = None
    stack_level: int | None = Field(default=None, ge=0)
    ids: list[int] | None = None


class AskComposite(Delivery):
    evse_id: int = Field(ge=0, description="0: the station's total.")
    duration: int = Field(ge=1, description="Seconds from now.")
    charging_rate_unit: Literal["A", "W"] | None = None


class ProfileRequest(BaseModel):
    request_key: str = Field(description="The request's id (your Idempotency-Key, or a new one).")
    command: str
    command_id: str = Field(description="GET /api/v1/commands/{command_id} shows it.")
    params: Any = Field(description="The command's version-neutral parameters as sent.")
    origin: Origin | None
    queued_if_offline: bool


class RequestState(BaseModel):
    request: ProfileRequest
    requested_at: datetime | None
    state: str = Field(description="QUEUED (no answer yet), ANSWERED, FAILED or EXPIRED.")
    result: Any = Field(description="The station's answer, version-neutral (e.g. {status: accepted}).")
    failure: str | None


class InstalledProfile(BaseModel):
    evse_id: int
    profile_id: int
    stack_level: int
    purpose: str
    profile: Any = Field(description="As set (the set-charging-profile params' profile).")
    command_id: str
    set_at: datetime | None


class StationReport(BaseModel):
    action: str = Field(description="NotifyChargingLimit, ClearedChargingLimit, NotifyEVChargingNeeds, ...")
    evse_id: int | None
    ocpp_request_id: int | None
    payload: Any = Field(description="The OCPP payload as sent.")
    recorded_at: datetime | None
    ocpp_version: convert.OcppVersionName | None


class CompositeSchedule(BaseModel):
    asked: Any = Field(description="The get-composite-schedule params.")
    answer: Any = Field(description="The station's answer: status, evse_id, schedule {start_schedule, periods...}.")
    answered_at: datetime | None


class ReportedProfile(BaseModel):
    evse_id: int
    ocpp_request_id: int
    charging_limit_source: str = Field(description="Who set it: CSO, EMS, SO, ...")
    profile: Any = Field(description="The OCPP chargingProfile as the station reported it.")
    reported_at: datetime | None


class StationProfiles(BaseModel):
    station_id: str
    installed: list[InstalledProfile] = Field(description="Set by the CSMS, accepted, not cleared since.")
    requests: list[RequestState] = Field(description="Every profile request, oldest first.")
    composite_schedule: CompositeSchedule | None = Field(description="The latest answered one.")
    reports: list[StationReport] = Field(description="What the station reported, oldest first.")
    booted_at: datetime | None
    reported: list[ReportedProfile] = Field(
        description="The profiles of the station's latest ReportChargingProfiles answer (POST .../report, 2.x)."
    )


def profile_request(message: sc.ProfileRequested) -> ProfileRequest:
    return ProfileRequest(
        request_key=message.request_key,
        command=message.command,
        command_id=message.command_id,
        params=convert.parsed(message.params_json) or {},
        origin=_ORIGINS.get(message.origin),
        queued_if_offline=message.queued_if_offline,
    )


def composite(found: sc.StationChargingProfiles) -> CompositeSchedule | None:
    if not found.composite_result_json:
        return None
    return CompositeSchedule(
        asked=convert.parsed(found.composite_params_json),
        answer=convert.parsed(found.composite_result_json),
        answered_at=convert.when(found, "composite_at"),
    )


def station_profiles(found: sc.StationChargingProfiles) -> StationProfiles:
    return StationProfiles(
        station_id=found.station_id,
        installed=[
            InstalledProfile(
                evse_id=p.evse_id,
                profile_id=p.profile_id,
                stack_level=p.stack_level,
                purpose=p.purpose,
                profile=convert.parsed(p.profile_json),
                command_id=p.command_id,
                set_at=convert.when(p, "set_at"),
            )
            for p in found.installed
        ],
        requests=[
            RequestState(
                request=profile_request(r.request),
                requested_at=convert.when(r, "requested_at"),
                state=r.state,
                result=convert.parsed(r.result_json),
                failure=convert.text(r.failure),
            )
            for r in found.requests
        ],
        composite_schedule=composite(found),
        reports=[
            StationReport(
                action=r.report.action,
                evse_id=r.report.evse_id or None,
                ocpp_request_id=r.report.ocpp_request_id or None,
                payload=convert.parsed(r.report.payload_json),
                recorded_at=convert.when(r, "recorded_at"),
                ocpp_version=convert.version(r.report.ocpp_version),
            )
            for r in found.reports
        ],
        booted_at=convert.when(found, "booted_at"),
        reported=[
            ReportedProfile(
                evse_id=p.evse_id,
                ocpp_request_id=p.ocpp_request_id,
                charging_limit_source=p.charging_limit_source,
                profile=convert.parsed(p.profile_json),
                reported_at=convert.when(p, "reported_at"),
            )
            for p in found.reported
        ],
    )


async def _hand_over(
    api: ApiContext,
    station_id: str,
    command: str,
    body: Delivery,
    key: str | None,
    response: Response,
) -> ProfileRequest:
    if body.expires_in is not None and not body.queue_if_offline:
        raise invalid("body.expires_in", "is only for queue_if_offline")
    params = body.model_dump(exclude={"queue_if_offline", "expires_in"}, exclude_none=True)
    request = sc.ProfileCommandRequest(
        station_id=station_id,
        params_json=json.dumps(params),
        queue_if_offline=body.queue_if_offline,
        request_key=key or "",
    )
    if body.expires_in is not None:
        request.expires_at.FromDatetime(api.clock() + timedelta(seconds=body.expires_in))
    made = profile_request(await api.smart_charging.profile_command(command, request))
    response.headers["Location"] = f"{router.prefix}/stations/{station_id}/charging-profiles"
    return made


@router.post(
    "/stations/{station_id}/charging-profiles",
    dependencies=[OPERATE],
    status_code=202,
    responses=documented(404, 409),
    summary="Install a charging profile on a station",
)
async def set_profile(
    station_id: StationId, body: SetProfile, api: Api, response: Response, idempotency_key: IdempotencyKey = None
) -> ProfileRequest:
    """Sends SetChargingProfile now, or once the station is back with `queue_if_offline`; 202 with the request
    (its answer shows in `GET .../charging-profiles`). 404: unknown station; 409: offline without
    queue_if_offline, or the profile overlaps one installed (another id, same EVSE, purpose and stack level, valid
    at the same time: the message names it); 422: a profile the station's version cannot express."""
    return await _hand_over(api, station_id, "set-charging-profile", body, idempotency_key, response)


@router.post(
    "/stations/{station_id}/charging-profiles/clear",
    dependencies=[OPERATE],
    status_code=202,
    responses=documented(404, 409),
    summary="Clear charging profiles of a station",
)
async def clear_profiles(
    station_id: StationId, body: ClearProfiles, api: Api, response: Response, idempotency_key: IdempotencyKey = None
) -> ProfileRequest:
    """Sends ClearChargingProfile by id, or for the profiles matching the criteria (none: every profile)."""
    return await _hand_over(api, station_id, "clear-charging-profile", body, idempotency_key, response)


@router.post(
    "/stations/{station_id}/charging-profiles/report",
    dependencies=[OPERATE],
    status_code=202,
    responses=documented(404, 409),
    summary="Ask a 2.x station to report its charging profiles",
)
async def report_profiles(
    station_id: StationId, body: ReportProfiles, api: Api, response: Response, idempotency_key: IdempotencyKey = None
) -> ProfileRequest:
    """Sends GetChargingProfiles; the station's ReportChargingProfiles show in `GET .../charging-profiles`."""
    return await _hand_over(api, station_id, "get-charging-profiles", body, idempotency_key, response)


@router.post(
    "/stations/{station_id}/composite-schedule",
    dependencies=[OPERATE],
    status_code=202,
    responses=documented(404, 409),
    summary="Ask a station for its composite schedule",
)
async def ask_composite(
    station_id: StationId, body: AskComposite, api: Api, response: Response, idempotency_key: IdempotencyKey = None
) -> ProfileRequest:
    """Sends GetCompositeSchedule; the answer shows in `GET .../composite-schedule`."""
    return await _hand_over(api, station_id, "get-composite-schedule", body, idempotency_key, response)


@router.get("/stations/{station_id}/charging-profiles", dependencies=[READ], summary="A station's charging profiles")
async def get_profiles(station_id: StationId, api: Api) -> StationProfiles:
    return station_profiles(await api.smart_charging.station_profiles(station_id))


@router.get(
    "/stations/{station_id}/composite-schedule",
    dependencies=[READ],
    responses=documented(404),
    summary="A station's latest composite schedule",
)
async def get_composite(station_id: StationId, api: Api) -> CompositeSchedule | None:
    """The latest answered get-composite-schedule (null: none yet; ask with POST)."""
    return composite(await api.smart_charging.station_profiles(station_id))
