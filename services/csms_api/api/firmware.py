"""A station's firmware and logs under `/api/v1/stations/{id}`: `POST firmware/update` and `POST logs/request`
(the firmware service hands them to device-model's commands, exactly once per `Idempotency-Key`), `GET firmware`
(the current update, every update with its status sequence, the boots and their firmware versions) and `GET logs`
(log and diagnostics upload requests with theirs). Translation to FirmwareService only (docs/adr/0037)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Response
from pydantic import AnyUrl, AwareDatetime, BaseModel, Field

from csms.firmware.v1 import firmware_pb2 as fw
from csms_api.api import convert
from csms_api.api.auth import OPERATE, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.problems import documented, invalid
from csms_api.api.stations import StationId

router = APIRouter(prefix="/api/v1", tags=["firmware"])
Api = Annotated[ApiContext, Depends(context)]

RequestKind = Literal["firmware_update", "log_upload", "firmware_publish"]
_KINDS: dict[int, RequestKind] = {
    fw.REQUEST_KIND_FIRMWARE_UPDATE: "firmware_update",
    fw.REQUEST_KIND_LOG_UPLOAD: "log_upload",
    fw.REQUEST_KIND_FIRMWARE_PUBLISH: "firmware_publish",
}
ReportKind = Literal["firmware", "log", "diagnostics", "publish"]
_REPORT_KINDS: dict[int, ReportKind] = {
    fw.REPORT_KIND_FIRMWARE: "firmware",
    fw.REPORT_KIND_LOG: "log",
    fw.REPORT_KIND_DIAGNOSTICS: "diagnostics",
    fw.REPORT_KIND_PUBLISH: "publish",
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=150,
        description="Your name for this request: a repeat with the same key returns the request the first one made"
        " and sends the station nothing again; 409 when the key named another command of the station.",
    ),
]


class Delivery(BaseModel):
    queue_if_offline: bool = Field(
        default=False, description="Keep it for an offline station, sent once it is back (409 otherwise)."
    )
    expires_in: float | None = Field(
        default=None, gt=0, description="Seconds until a queued request expires (default: the service's)."
    )
    retries: int | None = Field(default=None, ge=0, description="How often the station tries again.")
    retry_interval: int | None = Field(default=None, ge=0, description="Seconds between the station's tries.")


class FirmwareUpdate(Delivery):
    location: AnyUrl | None = Field(
        default=None, description="Where the station downloads the image (http, https, ftp, ...); or image_id."
    )
    image_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="An uploaded image (POST /api/v1/firmware/images): the station gets its own signed download "
        "URL, and the image's signature and signing certificate unless given here.",
    )
    force: bool = Field(
        default=False,
        description="Send the image although its vendor/model is not the station's (its last BootNotification), or "
        "the station has not booted yet (otherwise 409 naming both).",
    )
    retrieve_at: AwareDatetime | None = Field(default=None, description="When to start the download (now).")
    install_at: AwareDatetime | None = Field(default=None, description="When to install it (2.x, signed 1.6).")
    signing_certificate: str | None = Field(
        default=None, description="PEM certificate that signed the image (1.6: then SignedUpdateFirmware)."
    )
    signature: str | None = Field(default=None, description="Base64 signature of the image.")


class LogRequest(Delivery):
    remote_location: AnyUrl = Field(description="Where the station uploads the file.")
    log_type: Literal["diagnostics", "security"] = "diagnostics"
    command: Literal["get-log", "get-diagnostics"] = Field(
        default="get-log",
        description="get-log: GetLog (2.x, 1.6 security whitepaper); get-diagnostics: 1.6 GetDiagnostics.",
    )
    oldest: AwareDatetime | None = Field(default=None, description="Oldest entry wanted (get-diagnostics: start).")
    latest: AwareDatetime | None = Field(default=None, description="Latest entry wanted (get-diagnostics: stop).")


class FirmwareRequest(BaseModel):
    request_key: str = Field(description="The request's id (your Idempotency-Key, or a new one).")
    kind: RequestKind | None
    command: str = Field(description="The device-model command: update-firmware, get-log, get-diagnostics.")
    command_id: str = Field(description="GET /api/v1/commands/{command_id} shows it.")
    image_id: str | None = Field(default=None, description="The uploaded image an update installs.")
    ocpp_request_id: int | None = Field(description="The requestId the station's notifications carry.")
    params: Any = Field(description="The command's version-neutral parameters as sent.")
    queued_if_offline: bool


class StatusEntry(BaseModel):
    status: str = Field(description="As the station sent it (e.g. Downloading, Installed, Uploaded).")
    action: str
    recorded_at: datetime | None
    reason_code: str | None
    additional_info: str | None


class CommandOutcome(BaseModel):
    state: str = Field(description="ANSWERED, FAILED or EXPIRED.")
    result: Any = Field(description="The station's answer, version-neutral (e.g. {status: accepted}).")
    failure: str | None


class RequestHistory(BaseModel):
    request: FirmwareRequest
    requested_at: datetime | None
    command_outcome: CommandOutcome | None = Field(description="Empty while queued or waiting for the answer.")
    statuses: list[StatusEntry] = Field(description="Every status the station reported for it, in order.")
    last_status: str | None
    booted_version: str | None = Field(description="Updates: the firmware version of the first boot after Installed.")
    new_version_booted: bool = Field(description="Updates: that boot reported another version than before.")


class Report(BaseModel):
    kind: ReportKind | None
    action: str
    status: str
    ocpp_request_id: int | None
    recorded_at: datetime | None
    ocpp_version: convert.OcppVersionName | None
    locations: list[str]


class Boot(BaseModel):
    booted_at: datetime | None
    firmware_version: str
    reason: str | None


class StationFirmware(BaseModel):
    installed_version: str | None = Field(description="The firmware version of the station's latest boot.")
    current: RequestHistory | None = Field(description="The newest update request.")
    updates: list[RequestHistory] = Field(description="Every update request, newest first.")
    boots: list[Boot] = Field(description="Boots with their firmware versions, newest first.")
    unmatched: list[Report] = Field(description="Status reports naming a request the CSMS does not know.")
    station_reports: list[Report] = Field(description="Status reports of no request (2.x Idle).")


class StationLogs(BaseModel):
    requests: list[RequestHistory] = Field(description="Log and diagnostics upload requests, newest first.")
    unmatched: list[Report] = Field(description="Status reports naming a request the CSMS does not know.")


def firmware_request(message: fw.FirmwareRequested) -> FirmwareRequest:
    return FirmwareRequest(
        request_key=message.request_key,
        kind=_KINDS.get(message.kind),
        command=message.command,
        command_id=message.command_id,
        image_id=message.image_id or None,
        ocpp_request_id=message.ocpp_request_id or None,
        params=convert.parsed(message.params_json) or {},
        queued_if_offline=message.queued_if_offline,
    )


def request_history(message: fw.RequestHistory) -> RequestHistory:
    outcome = message.command_outcome if message.HasField("command_outcome") else None
    return RequestHistory(
        request=firmware_request(message.request),
        requested_at=convert.when(message, "requested_at"),
        command_outcome=CommandOutcome(
            state=outcome.state, result=convert.parsed(outcome.result_json), failure=convert.text(outcome.failure)
        )
        if outcome is not None
        else None,
        statuses=[
            StatusEntry(
                status=s.status,
                action=s.action,
                recorded_at=convert.when(s, "recorded_at"),
                reason_code=convert.text(s.reason_code),
                additional_info=convert.text(s.additional_info),
            )
            for s in message.statuses
        ],
        last_status=convert.text(message.last_status),
        booted_version=convert.text(message.booted_version),
        new_version_booted=message.new_version_booted,
    )


def report(message: fw.UnmatchedReport) -> Report:
    sent = message.report
    return Report(
        kind=_REPORT_KINDS.get(sent.kind),
        action=sent.action,
        status=sent.status,
        ocpp_request_id=sent.ocpp_request_id if sent.has_request_id else None,
        recorded_at=convert.when(message, "recorded_at"),
        ocpp_version=convert.version(sent.ocpp_version),
        locations=list(sent.locations),
    )


def _delivery(api: ApiContext, body: Delivery, request: Any, key: str | None) -> None:
    if body.expires_in is not None and not body.queue_if_offline:
        raise invalid("body.expires_in", "is only for queue_if_offline")
    request.queue_if_offline = body.queue_if_offline
    if body.expires_in is not None:
        request.expires_at.FromDatetime(api.clock() + timedelta(seconds=body.expires_in))
    if body.retries is not None:
        request.has_retries = True
        request.retries = body.retries
    request.retry_interval_s = body.retry_interval or 0
    request.request_key = key or ""


@router.post(
    "/stations/{station_id}/firmware/update",
    dependencies=[OPERATE],
    status_code=202,
    responses=documented(404, 409),
    summary="Update a station's firmware",
)
async def update_firmware(
    station_id: StationId, body: FirmwareUpdate, api: Api, response: Response, idempotency_key: IdempotencyKey = None
) -> FirmwareRequest:
    """Sends UpdateFirmware (1.6: SignedUpdateFirmware for a signed image) of a location or an uploaded image
    (`image_id`) now, or once the station is back with `queue_if_offline`; 202 with the request (follow it with
    `GET .../firmware`). 404: unknown station or image; 409: offline without queue_if_offline, or an image for
    another vendor/model than the station's (or a station never booted) without `force`; 422: parameters the
    station's version cannot express."""
    if (body.location is None) == (body.image_id is None):
        raise invalid("body", "give either location or image_id")
    request = fw.RequestFirmwareUpdateRequest(
        station_id=station_id,
        location=str(body.location or ""),
        image_id=body.image_id or "",
        force=body.force,
        signing_certificate=body.signing_certificate or "",
        signature=body.signature or "",
    )
    if body.retrieve_at is not None:
        request.retrieve_at.FromDatetime(body.retrieve_at)
    if body.install_at is not None:
        request.install_at.FromDatetime(body.install_at)
    _delivery(api, body, request, idempotency_key)
    made = firmware_request(await api.firmware.request_firmware_update(request))
    response.headers["Location"] = f"{router.prefix}/stations/{station_id}/firmware"
    return made


@router.get("/stations/{station_id}/firmware", dependencies=[READ], summary="A station's firmware and its history")
async def station_firmware(station_id: StationId, api: Api) -> StationFirmware:
    found = await api.firmware.station_firmware(station_id)
    return StationFirmware(
        installed_version=convert.text(found.installed_version),
        current=request_history(found.current) if found.HasField("current") else None,
        updates=[request_history(u) for u in found.updates],
        boots=[
            Boot(
                booted_at=convert.when(b, "booted_at"),
                firmware_version=b.firmware_version,
                reason=convert.text(b.reason),
            )
            for b in found.boots
        ],
        unmatched=[report(r) for r in found.unmatched],
        station_reports=[report(r) for r in found.station_reports],
    )


@router.post(
    "/stations/{station_id}/logs/request",
    dependencies=[OPERATE],
    status_code=202,
    responses=documented(404, 409),
    summary="Ask a station to upload a log",
)
async def request_log(
    station_id: StationId, body: LogRequest, api: Api, response: Response, idempotency_key: IdempotencyKey = None
) -> FirmwareRequest:
    """Sends GetLog (DiagnosticsLog or SecurityLog) or, with `command: get-diagnostics`, 1.6 GetDiagnostics; 202
    with the request (follow it with `GET .../logs`)."""
    if body.command == "get-diagnostics" and body.log_type != "diagnostics":
        raise invalid("body.log_type", "get-diagnostics uploads diagnostics only")
    request = fw.RequestLogUploadRequest(
        station_id=station_id,
        command=body.command,
        log_type=body.log_type,
        remote_location=str(body.remote_location),
    )
    if body.oldest is not None:
        request.oldest.FromDatetime(body.oldest)
    if body.latest is not None:
        request.latest.FromDatetime(body.latest)
    _delivery(api, body, request, idempotency_key)
    made = firmware_request(await api.firmware.request_log_upload(request))
    response.headers["Location"] = f"{router.prefix}/stations/{station_id}/logs"
    return made


@router.get("/stations/{station_id}/logs", dependencies=[READ], summary="A station's log upload requests")
async def station_logs(station_id: StationId, api: Api) -> StationLogs:
    found = await api.firmware.log_requests(station_id)
    return StationLogs(
        requests=[request_history(r) for r in found.requests], unmatched=[report(r) for r in found.unmatched]
    )
