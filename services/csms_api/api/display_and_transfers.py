"""`/api/v1/stations/{id}/display-messages` (what the station shows, as far as the CSMS knows) and
`/api/v1/stations/{id}/data-transfers` (its DataTransfer log, both directions, newest first); docs/adr/0034.
Translation to DeviceModelService only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, json_filters, next_cursor, page_token

router = APIRouter(prefix="/api/v1", tags=["display messages and data transfers"])
LISTING = "data-transfers"
Api = Annotated[ApiContext, Depends(context)]
StationId = Annotated[str, Path(min_length=1, max_length=48)]


class MessageDisplay(BaseModel):
    name: str
    instance: str | None
    evse_id: int | None
    connector_id: int | None


class DisplayMessage(BaseModel):
    id: int
    priority: str = Field(description="always_front, in_front or normal_cycle.")
    state: str | None = Field(
        description="charging, faulted, idle, unavailable (2.1 also suspended, discharging); null: in every state."
    )
    start_at: datetime | None
    end_at: datetime | None = Field(description="The station removes the message after this time.")
    transaction_id: str | None = Field(description="Shown during this transaction only.")
    format: str = Field(description="ascii, html, uri, utf8 (2.1 also qrcode).")
    language: str | None
    content: str
    display: MessageDisplay | None
    source: str = Field(description='Where the CSMS learned it: "command <command id>" or "report <requestId>".')
    updated_at: datetime | None


class DataTransfer(BaseModel):
    transfer_id: str = Field(description='station_to_csms: the OCPP message id; csms_to_station: "<command id>/<n>".')
    direction: Literal["station_to_csms", "csms_to_station"]
    ocpp_version: convert.OcppVersionName | None
    vendor_id: str
    message_id: str | None
    data: Any = Field(description="The data sent (OCPP 1.6: text).")
    status: str = Field(
        description="accepted, rejected, unknown_vendor_id, unknown_message_id; csms_to_station also sent (no "
        "answer yet), call_error and failed (see `error`)."
    )
    response_data: Any = Field(description="The data answered.")
    reason_code: str | None = Field(description="2.x statusInfo.reasonCode of the answer.")
    details: Any = Field(description="station_to_csms: what the CSMS's vendor handler read in the data.")
    error: str | None
    command_id: str | None = Field(description="csms_to_station: the operator command that sent it.")
    recorded_at: datetime | None = Field(description="station_to_csms: when received; csms_to_station: when sent.")


def display_message(message: dm.DisplayMessage) -> DisplayMessage:
    display = None
    if message.display_name:
        display = MessageDisplay(
            name=message.display_name,
            instance=convert.text(message.display_instance),
            evse_id=message.display_evse_id if message.HasField("display_evse_id") else None,
            connector_id=message.display_connector_id if message.HasField("display_connector_id") else None,
        )
    return DisplayMessage(
        id=message.id,
        priority=message.priority,
        state=convert.text(message.state),
        start_at=convert.when(message, "start_at"),
        end_at=convert.when(message, "end_at"),
        transaction_id=convert.text(message.transaction_id),
        format=message.format,
        language=convert.text(message.language),
        content=message.content,
        display=display,
        source=message.source,
        updated_at=convert.when(message, "updated_at"),
    )


def data_transfer(transfer: dm.DataTransfer) -> DataTransfer:
    return DataTransfer(
        transfer_id=transfer.transfer_id,
        direction="csms_to_station" if transfer.direction == "csms_to_station" else "station_to_csms",
        ocpp_version=convert.version(transfer.ocpp_version),
        vendor_id=transfer.vendor_id,
        message_id=convert.text(transfer.message_id),
        data=convert.parsed(transfer.data_json),
        status=transfer.status,
        response_data=convert.parsed(transfer.response_data_json),
        reason_code=convert.text(transfer.reason_code),
        details=convert.parsed(transfer.details_json),
        error=convert.text(transfer.error),
        command_id=convert.text(transfer.command_id),
        recorded_at=convert.when(transfer, "recorded_at"),
    )


@router.get("/stations/{station_id}/display-messages", dependencies=[READ], summary="A station's display messages")
async def station_display_messages(api: Api, station_id: StationId) -> list[DisplayMessage]:
    """The display messages the station shows, as far as the CSMS knows, by id: accepted set-display-message
    commands and NotifyDisplayMessages reports, less cleared messages; `csms command get-display-messages`
    refreshes it from the station. Empty for a station never heard of."""
    return [display_message(m) for m in await api.device_model.list_display_messages(station_id)]


@router.get("/stations/{station_id}/data-transfers", dependencies=[READ], summary="A station's DataTransfer log")
async def station_data_transfers(
    api: Api, station_id: StationId, limit: Limit = 50, cursor: Cursor = None
) -> Page[DataTransfer]:
    """Every DataTransfer of the station, both directions, with its answer, newest first."""
    filters = json_filters(station_id=station_id)
    request = dm.ListDataTransfersRequest(
        station_id=station_id, page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, filters)
    )
    page = await api.device_model.list_data_transfers(request)
    return Page[DataTransfer](
        items=[data_transfer(t) for t in page.transfers],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )
