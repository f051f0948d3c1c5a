"""`/api/v1/security-events` (every station's or one station's, newest first) and a station's security events and
issued certificates under `/api/v1/stations/{id}`. Translation to SecurityService only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from csms.security.v1 import security_pb2 as sec
from csms_api.api import convert
from csms_api.api.auth import READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, json_filters, next_cursor, page_token

router = APIRouter(prefix="/api/v1", tags=["security"])
LISTING = "security-events"
Api = Annotated[ApiContext, Depends(context)]
StationId = Annotated[str, Path(min_length=1, max_length=48)]

_SOURCES: dict[int, Literal["station", "csms"]] = {
    sec.SECURITY_EVENT_SOURCE_STATION: "station",
    sec.SECURITY_EVENT_SOURCE_CSMS: "csms",
}


class SecurityEvent(BaseModel):
    event_id: str
    station_id: str
    source: Literal["station", "csms"] | None = Field(
        description="`station`: a SecurityEventNotification; `csms`: raised by the CSMS (refused handshake, "
        "rejected CSR, issued certificate, ...)."
    )
    type: str = Field(description="station: the OCPP type as sent; csms: e.g. handshake_refused, csr_rejected.")
    critical: bool
    tech_info: str | None
    occurred_at: datetime | None = Field(description="station: the station's timestamp; csms: when it happened.")
    recorded_at: datetime | None = Field(description="When the CSMS recorded it (its own clock); the order.")
    edge_node_id: str | None
    remote_address: str | None
    details: dict[str, str]
    ocpp_version: convert.OcppVersionName | None
    message_id: str | None


class IssuedCertificate(BaseModel):
    serial_number: str = Field(description="Hex, lower case.")
    certificate_type: str = Field(description="ChargingStationCertificate or V2GCertificate.")
    not_before: datetime | None
    not_after: datetime | None
    fingerprint_sha256: str
    certificate_chain_pem: str = Field(description="The certificate followed by its CA, as sent to the station.")
    issued_at: datetime | None


def security_event(message: sec.SecurityEvent) -> SecurityEvent:
    return SecurityEvent(
        event_id=message.event_id,
        station_id=message.station_id,
        source=_SOURCES.get(message.source),
        type=message.type,
        critical=message.critical,
        tech_info=convert.text(message.tech_info),
        occurred_at=convert.when(message, "occurred_at"),
        recorded_at=convert.when(message, "recorded_at"),
        edge_node_id=convert.text(message.edge_node_id),
        remote_address=convert.text(message.remote_address),
        details=dict(message.details),
        ocpp_version=convert.version(message.ocpp_version),
        message_id=convert.text(message.message_id),
    )


def issued_certificate(message: sec.IssuedCertificate) -> IssuedCertificate:
    return IssuedCertificate(
        serial_number=message.serial_number,
        certificate_type=message.certificate_type,
        not_before=convert.when(message, "not_before"),
        not_after=convert.when(message, "not_after"),
        fingerprint_sha256=message.fingerprint_sha256,
        certificate_chain_pem=message.certificate_chain_pem,
        issued_at=convert.when(message, "issued_at"),
    )


async def _events(api: ApiContext, station_id: str | None, limit: int, cursor: str | None) -> Page[SecurityEvent]:
    filters = json_filters(station_id=station_id)
    request = sec.ListSecurityEventsRequest(
        station_id=station_id or "", page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, filters)
    )
    page = await api.security.list_security_events(request)
    return Page[SecurityEvent](
        items=[security_event(event) for event in page.events],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )


@router.get("/security-events", dependencies=[READ], summary="List security events")
async def list_security_events(
    api: Api,
    limit: Limit = 50,
    cursor: Cursor = None,
    station_id: Annotated[str | None, Query(min_length=1, max_length=48, description="Only this station's.")] = None,
) -> Page[SecurityEvent]:
    """Station-reported and CSMS security events, newest first (by when the CSMS recorded them)."""
    return await _events(api, station_id, limit, cursor)


@router.get("/stations/{station_id}/security-events", dependencies=[READ], summary="A station's security events")
async def station_security_events(
    api: Api, station_id: StationId, limit: Limit = 50, cursor: Cursor = None
) -> Page[SecurityEvent]:
    """The station's security events, newest first (the station need not be registered: refused handshakes of
    unknown ids are kept too)."""
    return await _events(api, station_id, limit, cursor)


@router.get("/stations/{station_id}/certificates", dependencies=[READ], summary="Certificates issued to a station")
async def station_certificates(api: Api, station_id: StationId) -> list[IssuedCertificate]:
    """Certificates the station CA issued to the station (SignCertificate), newest first."""
    return [issued_certificate(c) for c in await api.security.list_issued_certificates(station_id)]
