"""Operator commands over HTTP: `POST /api/v1/stations/{station_id}/commands/{command}` (one version-neutral body
whatever the station's OCPP version), `GET /api/v1/commands/{command_id}`, `GET
/api/v1/stations/{station_id}/commands`. Translation to DeviceModelService.SendCommand/GetCommand/ListCommands,
which translate to the station's version, record, queue and send (docs/adr/0020)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Response
from pydantic import AwareDatetime, BaseModel, Field

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import OPERATE, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, next_cursor, page_token
from csms_api.api.problems import documented, invalid
from csms_api.api.sessions import DEFAULT_TIMEOUT_S, Timeout, relayed_deadline_s
from csms_api.api.stations import StationId

router = APIRouter(prefix="/api/v1", tags=["commands"])
LISTING = "commands"
Api = Annotated[ApiContext, Depends(context)]

CommandState = Literal["queued", "sent", "answered", "failed", "expired"]
STATES: dict[int, CommandState] = {
    dm.COMMAND_STATE_QUEUED: "queued",
    dm.COMMAND_STATE_SENT: "sent",
    dm.COMMAND_STATE_ANSWERED: "answered",
    dm.COMMAND_STATE_FAILED: "failed",
    dm.COMMAND_STATE_EXPIRED: "expired",
}
PENDING = ("queued", "sent")


class Command(BaseModel):
    command_id: str
    station_id: str
    command: str = Field(
        description="reset, change-availability, unlock-connector, trigger-message, clear-cache, "
        "get-configuration, set-configuration, data-transfer, raw, certificate-signed, install-certificate, "
        "get-installed-certificate-ids, delete-certificate, set-password, set-security-profile, "
        "set-display-message, get-display-messages, clear-display-message (docs/adr/0020, 0027, 0034), "
        "update-firmware, get-log, get-diagnostics, publish-firmware, unpublish-firmware (docs/adr/0037), "
        "set-charging-profile, clear-charging-profile, get-composite-schedule or get-charging-profiles "
        "(docs/adr/0041). A new password is shown as <redacted>."
    )
    state: CommandState | None
    ocpp_version: convert.OcppVersionName | None = Field(description="The version it was translated to.")
    params: Any = Field(description="The version-neutral parameters as given.")
    request: Any = Field(description="What was (or will be) sent: a list of {action, payload}.")
    result: Any = Field(description="The version-neutral answer, once answered with a CALLRESULT.")
    response: Any = Field(description="The station's raw CALLRESULT/CALLERROR frame(s).")
    call_error: convert.CallError | None
    failure: str | None = Field(description="Why it failed without an answer (timeout, disconnect, ...).")
    created_at: datetime | None
    sent_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None
    timeout: float | None = Field(description="Seconds the station may take to answer once sent.")


def command(message: dm.Command) -> Command:
    return Command(
        command_id=message.command_id,
        station_id=message.station_id,
        command=message.command,
        state=STATES.get(message.state),
        ocpp_version=convert.version(message.ocpp_version),
        params=convert.parsed(message.params_json) or {},
        request=convert.parsed(message.request_json),
        result=convert.parsed(message.result_json),
        response=convert.parsed(message.response_json),
        call_error=convert.call_error(message.call_error) if message.HasField("call_error") else None,
        failure=convert.text(message.failure),
        created_at=convert.when(message, "created_at"),
        sent_at=convert.when(message, "sent_at"),
        finished_at=convert.when(message, "finished_at"),
        expires_at=convert.when(message, "expires_at"),
        timeout=message.timeout_ms / 1000 if message.timeout_ms else None,
    )


def location(command_id: str) -> str:
    return f"{router.prefix}/commands/{command_id}"


@router.post(
    "/stations/{station_id}/commands/{command_name}",
    dependencies=[OPERATE],
    responses={
        202: {"model": Command, "description": "Queued or sent, not answered yet (`Location`: the command)."},
        **documented(404, 409),
    },
    summary="Send a command to a station",
)
async def send_command(
    station_id: StationId,
    command_name: Annotated[str, Path(min_length=1, max_length=64, description="The command (404 when unknown).")],
    response: Response,
    api: Api,
    params: Annotated[
        dict[str, Any] | None, Body(description="The command's version-neutral parameters (a JSON object).")
    ] = None,
    wait: Annotated[bool, Query(description="Wait for the station's answer (false: 202 once recorded).")] = True,
    timeout_s: Timeout = DEFAULT_TIMEOUT_S,
    queue_if_offline: Annotated[
        bool, Query(description="Keep it for an offline station, sent once it is back (needs an expiry).")
    ] = False,
    expires_in: Annotated[float | None, Query(gt=0, description="Seconds until a queued command expires.")] = None,
    expires_at: Annotated[AwareDatetime | None, Query(description="When a queued command expires (ISO 8601).")] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Your name for this command: a repeated request with the same key returns the command the"
            " first one made (never a second command); 409 when the key named another command of the station.",
        ),
    ] = None,
) -> Command:
    """Translates the command to the station's OCPP version and sends it. 200 with the outcome once the station
    answered (or it failed); 202 with `Location` while it is queued or sent (`wait=false`). 404: unknown station
    or command; 422: invalid parameters, or a command the station's version cannot express; 409: the station is
    offline and `queue_if_offline` is not set."""
    if expires_in is not None and expires_at is not None:
        raise invalid("query.expires_at", "give either expires_in or expires_at, not both")
    if queue_if_offline and expires_in is None and expires_at is None:
        raise invalid("query.expires_in", "queue_if_offline needs an expiry: expires_in or expires_at")
    request = dm.SendCommandRequest(
        station_id=station_id,
        command=command_name,
        params_json=json.dumps(params or {}, separators=(",", ":")),
        timeout_ms=round(timeout_s * 1000),
        wait=wait,
        queue_if_offline=queue_if_offline,
        idempotency_key=idempotency_key or "",
    )
    expiry = expires_at or (api.clock() + timedelta(seconds=expires_in) if expires_in is not None else None)
    if expiry is not None:
        request.expires_at.FromDatetime(expiry)
    sent = command(await api.device_model.send_command(request, relayed_deadline_s(timeout_s)))
    if sent.state in PENDING:
        response.status_code = 202
        response.headers["Location"] = location(sent.command_id)
    return sent


@router.get("/commands/{command_id}", dependencies=[READ], responses=documented(404), summary="Get a command")
async def get_command(command_id: Annotated[str, Path(min_length=1)], api: Api) -> Command:
    return command(await api.device_model.get_command(command_id))


@router.get("/stations/{station_id}/commands", dependencies=[READ], summary="List a station's commands")
async def list_commands(station_id: StationId, api: Api, limit: Limit = 50, cursor: Cursor = None) -> Page[Command]:
    filters = {"station_id": station_id}
    request = dm.ListCommandsRequest(
        station_id=station_id, page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, filters)
    )
    page = await api.device_model.list_commands(request)
    return Page[Command](
        items=[command(message) for message in page.commands],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )
