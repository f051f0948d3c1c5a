"""Provisioning over HTTP (docs/adr/0031): `GET/PUT /api/v1/stations/{station_id}/provisioning` (the boot policy a
station's BootNotification is answered by, and its last boot answer), `POST .../provisioning/accept` (accept a
Pending station: policy Accepted, and a connected one asked to boot again at once), and
`GET /api/v1/stations/{station_id}/boots` (its boot history, newest first). Translation to DeviceModelService's
GetStationProvisioning/SetStationProvisioning/ListStationBoots."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import OPERATE, READ
from csms_api.api.commands import Command, command
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, next_cursor, page_token
from csms_api.api.stations import StationId

router = APIRouter(prefix="/api/v1/stations", tags=["provisioning"])
LISTING = "boots"
Api = Annotated[ApiContext, Depends(context)]

BootPolicyName = Literal["Accepted", "Pending", "Rejected"]


class Provisioning(BaseModel):
    station_id: str
    boot_policy: BootPolicyName = Field(
        description="How the station's next BootNotification is answered. Pending: it may only boot and send what "
        "the CSMS asks for while the CSMS reads and sets its configuration; Rejected: it is sent nothing and "
        "retries its boot after the retry interval."
    )
    explicit: bool = Field(description="false: never set for this station, the default for new stations applies.")
    updated_at: datetime | None
    registration_status: BootPolicyName | None = Field(description="How its last boot was answered.")
    booted_at: datetime | None


class ProvisioningUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    boot_policy: BootPolicyName
    trigger_boot: bool = Field(
        default=True,
        description="Ask a connected station whose last boot got another answer to boot again now "
        "(TriggerMessage BootNotification; never sent to a Rejected station, which retries by itself).",
    )


class ProvisioningChange(BaseModel):
    provisioning: Provisioning
    trigger_command: Command | None = Field(description="The TriggerMessage BootNotification sent, if one was.")


class StationBoot(BaseModel):
    booted_at: datetime | None
    message_id: str
    ocpp_version: convert.OcppVersionName | None
    reason: str | None = Field(description="2.x boot reason (PowerUp, FirmwareUpdate, ...); null for 1.6.")
    firmware_version: str | None
    vendor: str | None
    model: str | None
    serial_number: str | None
    registration_status: str = Field(description="How the boot was answered: Accepted, Pending or Rejected.")


def provisioning(message: dm.StationProvisioning) -> Provisioning:
    return Provisioning(
        station_id=message.station_id,
        boot_policy=message.boot_policy,  # type: ignore[arg-type]
        explicit=message.explicit,
        updated_at=convert.when(message, "updated_at"),
        registration_status=convert.text(message.registration_status),  # type: ignore[arg-type]
        booted_at=convert.when(message, "booted_at"),
    )


def boot(message: dm.StationBoot) -> StationBoot:
    return StationBoot(
        booted_at=convert.when(message, "booted_at"),
        message_id=message.message_id,
        ocpp_version=convert.version(message.ocpp_version),
        reason=convert.text(message.reason),
        firmware_version=convert.text(message.firmware_version),
        vendor=convert.text(message.vendor),
        model=convert.text(message.model),
        serial_number=convert.text(message.serial_number),
        registration_status=message.registration_status,
    )


@router.get("/{station_id}/provisioning", dependencies=[READ], summary="Get a station's boot policy")
async def get_provisioning(station_id: StationId, api: Api) -> Provisioning:
    return provisioning(await api.device_model.get_station_provisioning(station_id))


async def _set(api: Api, station_id: str, update: ProvisioningUpdate) -> ProvisioningChange:
    request = dm.SetStationProvisioningRequest(
        station_id=station_id, boot_policy=update.boot_policy, trigger_boot=update.trigger_boot
    )
    changed = await api.device_model.set_station_provisioning(request)
    trigger = command(changed.trigger_command) if changed.HasField("trigger_command") else None
    return ProvisioningChange(provisioning=provisioning(changed.provisioning), trigger_command=trigger)


@router.put("/{station_id}/provisioning", dependencies=[OPERATE], summary="Set a station's boot policy")
async def set_provisioning(station_id: StationId, update: ProvisioningUpdate, api: Api) -> ProvisioningChange:
    """Sets how the station's BootNotifications are answered from now on (any station id: a policy may be set
    before the station first connects)."""
    return await _set(api, station_id, update)


@router.post("/{station_id}/provisioning/accept", dependencies=[OPERATE], summary="Accept a station")
async def accept(
    station_id: StationId,
    api: Api,
    trigger_boot: Annotated[bool, Query(description="Ask a connected Pending station to boot again now.")] = True,
) -> ProvisioningChange:
    """Boot policy Accepted; a connected station whose last boot was Pending is asked to boot again now
    (TriggerMessage BootNotification) and is answered Accepted."""
    return await _set(api, station_id, ProvisioningUpdate(boot_policy="Accepted", trigger_boot=trigger_boot))


@router.get("/{station_id}/boots", dependencies=[READ], summary="List a station's boots")
async def list_boots(station_id: StationId, api: Api, limit: Limit = 50, cursor: Cursor = None) -> Page[StationBoot]:
    """Every BootNotification of the station, newest first: reason, firmware, and how it was answered."""
    filters = {"station_id": station_id}
    request = dm.ListStationBootsRequest(
        station_id=station_id, page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, filters)
    )
    page = await api.device_model.list_station_boots(request)
    return Page[StationBoot](
        items=[boot(message) for message in page.boots],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )
