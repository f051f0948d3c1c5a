"""`/api/v1/stations`: list (filters joined across authorization and device-model), register, get (registration +
projection), update (password, group, security profile, enabled), delete. Translation only: the join and its
paging are `csms_api.app.stations`."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import datetime
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field

from csms.authorization.v1 import authorization_pb2 as authz
from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import ADMIN, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page
from csms_api.api.problems import conflict, documented, invalid, not_found
from csms_api.app.stations import StationFilters, StationView
from csms_api.ports import unless_not_found

router = APIRouter(prefix="/api/v1/stations", tags=["stations"])
LISTING = "stations"

StationId = Annotated[str, Path(min_length=1, max_length=48, description="The station's OCPP identity.")]
Api = Annotated[ApiContext, Depends(context)]


class Registration(BaseModel):
    security_profile: int = Field(
        description="OCPP security profile: 1 Basic over ws, 2 TLS + Basic, 3 TLS client certificate."
    )
    group: str | None
    enabled: bool = Field(description="A disabled station is refused at the handshake.")
    created_at: datetime | None
    updated_at: datetime | None
    pending_security_profile: int | None = Field(
        description="A profile upgrade under way (started by the device-model command set-security-profile): "
        "registered once the station connects at it. Null: none."
    )
    password_rotation_pending: bool = Field(
        description="A password rotation under way (device-model command set-password): the station may connect "
        "with the new password or the current one until it first connects with the new one."
    )


class Connection(BaseModel):
    edge_node_id: str
    connection_id: str
    edge_address: str | None = Field(description="The edge node's gRPC address.")


class Boot(BaseModel):
    vendor: str | None
    model: str | None
    serial_number: str | None
    firmware_version: str | None
    reason: str | None
    booted_at: datetime | None
    registration_status: str | None = Field(
        description="How the boot was answered: Accepted, Pending or Rejected (docs/adr/0031; "
        "`/stations/{id}/provisioning` sets how the next one is)."
    )


class ConnectorStatus(BaseModel):
    evse_id: int = Field(description="0 for a 1.6 station's connector 0 (the station as a whole).")
    connector_id: int
    status: str = Field(
        description="As the station reported it, but Reserved for an Available connector an active reservation "
        "holds (its EVSE, or the whole station), whatever the station said last."
    )
    error_code: str | None
    updated_at: datetime | None
    reserved_by: str | None = Field(
        default=None, description="The active reservation holding it (`/api/v1/reservations/{id}`), if any."
    )


class Station(BaseModel):
    station_id: str
    registration: Registration | None = Field(description="Null for a station that is not registered.")
    connected: bool
    ocpp_version: convert.OcppVersionName | None = Field(description="Of the current (or last) connection.")
    connection: Connection | None = Field(description="Where the station is connected; null when it is not.")
    boot: Boot | None = Field(description="The last BootNotification; null before the first.")
    last_seen_at: datetime | None
    connectors: list[ConnectorStatus]


class StationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    station_id: str = Field(min_length=1, max_length=48)
    password: str = Field(
        default="",
        description="HTTP Basic password the station presents (16..64 printable ASCII characters); may be left "
        "out for security profile 3 (the client certificate is the credential).",
    )
    security_profile: int = Field(default=1, ge=1, le=3)
    group: str | None = Field(default=None, description="A station group, e.g. a site (the target of group commands).")


class StationUpdate(BaseModel):
    """Only the fields given change; `group: null` removes the station from its group."""

    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, description="A new password; the old one is refused from then on.")
    security_profile: int | None = Field(default=None, ge=1, le=3)
    group: str | None = None
    enabled: bool | None = Field(default=None, description="false closes its connection and refuses it.")


def station(view: StationView) -> Station:
    seen = view.projection
    return Station(
        station_id=view.station_id,
        registration=_registration(view.registration) if view.registration is not None else None,
        connected=bool(seen and seen.connected),
        ocpp_version=convert.version(seen.ocpp_version) if seen else None,
        connection=_connection(seen) if seen and seen.connected else None,
        boot=_boot(seen) if seen and seen.HasField("last_boot_at") else None,
        last_seen_at=convert.when(seen, "last_seen_at") if seen else None,
        connectors=[_connector(c) for c in seen.connectors] if seen else [],
    )


def _registration(registered: authz.RegisteredStation) -> Registration:
    return Registration(
        security_profile=registered.security_profile,
        group=convert.text(registered.group),
        enabled=registered.enabled,
        created_at=convert.when(registered, "created_at"),
        updated_at=convert.when(registered, "updated_at"),
        pending_security_profile=registered.pending_security_profile or None,
        password_rotation_pending=registered.password_rotation_pending,
    )


def _connection(seen: dm.Station) -> Connection:
    return Connection(
        edge_node_id=seen.edge_node_id, connection_id=seen.connection_id, edge_address=convert.text(seen.edge_address)
    )


def _boot(seen: dm.Station) -> Boot:
    return Boot(
        vendor=convert.text(seen.vendor),
        model=convert.text(seen.model),
        serial_number=convert.text(seen.serial_number),
        firmware_version=convert.text(seen.firmware_version),
        reason=convert.text(seen.boot_reason),
        booted_at=convert.when(seen, "last_boot_at"),
        registration_status=convert.text(seen.registration_status),
    )


def _connector(connector: dm.ConnectorStatus) -> ConnectorStatus:
    return ConnectorStatus(
        evse_id=connector.evse_id,
        connector_id=connector.connector_id,
        status=connector.status,
        error_code=convert.text(connector.error_code),
        updated_at=convert.when(connector, "updated_at"),
    )


def with_reservations(found: Station, reservations: list[authz.Reservation]) -> Station:
    """The station with its Available connectors shown Reserved where an active reservation holds them: one of
    their EVSE, or one of the whole station naming no connector type (the station picks the connector of a type)."""
    holding = [r for r in reservations if r.status == "Accepted" and (r.evse_id or not r.connector_type)]
    connectors = []
    for connector in found.connectors:
        held = next((r for r in holding if connector.evse_id and r.evse_id in (0, connector.evse_id)), None)
        if held is not None and connector.status == "Available":
            connector = connector.model_copy(
                update={"status": "Reserved", "reserved_by": f"{held.station_id}:{held.reservation_id}"}
            )
        connectors.append(connector)
    return found.model_copy(update={"connectors": connectors})


async def reserved(found: Station, api: ApiContext) -> Station:
    """`with_reservations` over the station's active reservations (asked only when it has connectors)."""
    if not found.connectors:
        return found
    request = authz.ListReservationsRequest(station_id=found.station_id, active=True)
    return with_reservations(found, await api.authorization.list_reservations(request))


def location(station_id: str) -> str:
    return f"{router.prefix}/{quote(station_id, safe='')}"


@router.get("", dependencies=[READ], summary="List registered stations")
async def list_stations(
    api: Api,
    limit: Limit = 50,
    cursor: Cursor = None,
    connected: Annotated[bool | None, Query(description="Connected now (true) or not (false).")] = None,
    status_: Annotated[
        str | None, Query(alias="status", description="A connector status the station has, e.g. Charging.")
    ] = None,
    group: Annotated[str | None, Query(description="The station group.")] = None,
    ocpp_version: Annotated[convert.OcppVersionName | None, Query(description="OCPP version.")] = None,
    vendor: Annotated[str | None, Query(description="Vendor from the last boot (case-insensitive).")] = None,
    model: Annotated[str | None, Query(description="Model from the last boot (case-insensitive).")] = None,
) -> Page[Station]:
    """Registered stations in a stable order, each joined with its device-model projection. `group` is filtered
    by the registry; the other filters on the joined projections, reading on until the page is full or a scan
    budget is spent, so a page may be short and still have a `next_cursor`."""
    filters = StationFilters(connected, status_, group, ocpp_version, vendor, model)
    filter_json = dataclasses.asdict(filters)
    position = None
    if cursor is not None:
        opened = api.cursors.open(cursor, LISTING, filter_json)
        token, passed = opened.get("t"), opened.get("n")
        if not isinstance(token, str) or not isinstance(passed, int) or isinstance(passed, bool) or passed < 0:
            raise invalid("query.cursor", "not a cursor of this listing", "cursor_invalid")
        position = (token, passed)
    views, following = await api.stations.page(filters, limit, position)
    next_cursor = None
    if following is not None:
        next_cursor = api.cursors.seal(LISTING, filter_json, {"t": following[0], "n": following[1]})
    items = await asyncio.gather(*(reserved(station(view), api) for view in views))
    return Page[Station](items=list(items), next_cursor=next_cursor)


@router.post(
    "",
    dependencies=[ADMIN],
    status_code=status.HTTP_201_CREATED,
    responses=documented(409),
    summary="Register a station",
)
async def create_station(body: StationCreate, response: Response, api: Api) -> Station:
    """Registers a new station (409 when the id is registered already; PATCH changes an existing one)."""
    if await unless_not_found(api.authorization.get_registered_station(body.station_id)) is not None:
        raise conflict(f"station {body.station_id} is already registered")
    request = authz.RegisterStationRequest(
        station_id=body.station_id,
        password=body.password,
        security_profile=body.security_profile,
        group=body.group or "",
    )
    if not (await api.authorization.register_station(request)).created:
        raise conflict(f"station {body.station_id} was registered at the same time by another request")
    response.headers["Location"] = location(body.station_id)
    return await get_station(body.station_id, api)


@router.get("/{station_id}", dependencies=[READ], responses=documented(404), summary="Get a station")
async def get_station(station_id: StationId, api: Api) -> Station:
    """The registration joined with the device-model projection: connection, OCPP version, boot, connectors."""
    view = await api.stations.get(station_id)
    if view is None:
        raise not_found(f"station {station_id} is neither registered nor known to device-model")
    return await reserved(station(view), api)


@router.patch("/{station_id}", dependencies=[ADMIN], responses=documented(404), summary="Update a station")
async def update_station(station_id: StationId, body: StationUpdate, api: Api) -> Station:
    request = authz.UpdateStationRequest(station_id=station_id)
    given = body.model_fields_set
    if body.password is not None:
        request.password = body.password
    if body.security_profile is not None:
        request.security_profile = body.security_profile
    if "group" in given:
        request.group = body.group or ""
    if body.enabled is not None:
        request.enabled = body.enabled
    registered = await api.authorization.update_station(request)
    return station(StationView(station_id, registered, await api.stations.projection(station_id)))


@router.delete(
    "/{station_id}",
    dependencies=[ADMIN],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(404),
    summary="Delete a station",
)
async def delete_station(station_id: StationId, api: Api) -> None:
    """Removes the registration; a live connection is closed and refused from then on."""
    if not await api.authorization.delete_station(station_id):
        raise not_found(f"station {station_id} is not registered")
