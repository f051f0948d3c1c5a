"""`/api/v1/reservations` (create, list, get, cancel) and `/api/v1/stations/{station_id}/reservations`: reservations
made through the authorization service, which gives each the station's next free id, refuses an EVSE already
reserved, sends ReserveNow in the station's version and waits for its answer (docs/adr/0043). A reservation's API id
is `<station id>:<reservation id>` (station ids have no ':'). Statuses are as of the request: an Accepted reservation
past its expiry reads Expired. Translation to AuthorizationService's reservation RPCs only.

A station that is offline is answered 409 (nothing is queued: a reservation is for now), like the commands route
without `queue_if_offline`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Header, Path, Query, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from csms.authorization.v1 import authorization_pb2 as authz
from csms_api.api import convert
from csms_api.api.auth import OPERATE, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, next_cursor, page_token
from csms_api.api.problems import ProblemError, conflict, documented, invalid
from csms_api.api.sessions import DEFAULT_TIMEOUT_S, Timeout, relayed_deadline_s
from csms_api.api.stations import StationId
from csms_api.api.tokens import TokenType

router = APIRouter(prefix="/api/v1", tags=["reservations"])
LISTING = "reservations"
Api = Annotated[ApiContext, Depends(context)]

Status = Literal["Pending", "Accepted", "Refused", "Used", "Cancelled", "Expired", "Removed"]
STATUSES: tuple[Status, ...] = ("Pending", "Accepted", "Refused", "Used", "Cancelled", "Expired", "Removed")
AUTHORIZATION_HOP_S = 10.0
"""Added to the deadline of a reservation call: authorization records it with device-model before the station."""

ReservationId = Annotated[
    str,
    Path(
        min_length=3,
        max_length=60,
        description="`<station id>:<reservation id>`, as in a reservation's `id` (e.g. `CS-1:3`).",
    ),
]


class ReservationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    station_id: str = Field(min_length=1, max_length=48)
    evse_id: int = Field(default=0, ge=0, description="The EVSE (1.6: the connector); 0: the whole station.")
    connector_type: str | None = Field(
        default=None,
        min_length=1,
        max_length=20,
        description="2.x only: the connector type reserved (e.g. cType2); 422 for a 1.6 station.",
    )
    id_token: str = Field(min_length=1, max_length=255)
    token_type: TokenType | None = Field(default=None, description="2.x IdToken type (default Central).")
    group_id_token: str | None = Field(
        default=None, min_length=1, max_length=255, description="Any token of this group may use it."
    )
    expires_at: AwareDatetime = Field(description="When it ends if unused (ISO 8601, in the future).")


class Reservation(BaseModel):
    id: str = Field(description="`<station id>:<reservation id>`.")
    station_id: str
    reservation_id: int = Field(description="The id the station knows it by (unique within the station).")
    evse_id: int = Field(description="0: the whole station.")
    connector_type: str | None
    id_token: str
    token_type: str | None
    group_id_token: str | None
    expires_at: datetime | None
    status: Status | None = Field(
        description="As of now: Pending (being sent), Accepted (holds until expires_at), Refused, Used (a session "
        "started with it), Cancelled, Expired, Removed (by the station)."
    )


def reservation(message: authz.Reservation) -> Reservation:
    found = message.status
    return Reservation(
        id=f"{message.station_id}:{message.reservation_id}",
        station_id=message.station_id,
        reservation_id=message.reservation_id,
        evse_id=message.evse_id,
        connector_type=convert.text(message.connector_type),
        id_token=message.id_token,
        token_type=convert.text(message.token_type),
        group_id_token=convert.text(message.group_id_token),
        expires_at=convert.when(message, "expires_at"),
        status=next((s for s in STATUSES if s == found), None),
    )


def location(message: authz.Reservation) -> str:
    return f"{router.prefix}/reservations/{quote(message.station_id, safe='')}:{message.reservation_id}"


def _split(reservation_id: str) -> tuple[str, int]:
    station_id, _, number = reservation_id.rpartition(":")
    if not station_id or not number.isdigit():
        raise invalid("path.reservation_id", "expected <station id>:<reservation id>, e.g. CS-1:3")
    return station_id, int(number)


def _deadline_s(timeout_s: float) -> float:
    return relayed_deadline_s(timeout_s) + AUTHORIZATION_HOP_S


@router.post(
    "/reservations",
    dependencies=[OPERATE],
    status_code=status.HTTP_201_CREATED,
    responses=documented(404, 409),
    summary="Reserve an EVSE (or a station)",
)
async def create_reservation(
    body: ReservationCreate,
    response: Response,
    api: Api,
    timeout_s: Timeout = DEFAULT_TIMEOUT_S,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            max_length=200,
            description="Your name for this request: a repeat with the same key returns the reservation the first "
            "one made (ReserveNow is never sent twice).",
        ),
    ] = None,
) -> Reservation:
    """Gives the reservation the station's next free id, sends ReserveNow in the station's version and answers
    once the station answered: 201 Accepted. 404: unknown station. 409: the station is offline, the EVSE (or the
    station) is already reserved, or the station refused (the detail names its status: Occupied, Faulted,
    Unavailable, Rejected). 422: a bad field, `expires_at` not in the future, a connector type for a 1.6 station.
    504: the station did not answer in time (the reservation is Refused)."""
    if body.expires_at <= api.clock():
        raise invalid("body.expires_at", "must be in the future")
    request = authz.ReserveNowRequest(
        station_id=body.station_id,
        evse_id=body.evse_id,
        connector_type=body.connector_type or "",
        id_token=body.id_token,
        token_type=body.token_type or "",
        group_id_token=body.group_id_token or "",
        request_key=idempotency_key or "",
        timeout_ms=round(timeout_s * 1000),
    )
    request.expires_at.FromDatetime(body.expires_at)
    answer = await api.authorization.reserve_now(request, _deadline_s(timeout_s))
    made = answer.reservation
    if made.status == "Refused":
        what = f"reservation {made.station_id}:{made.reservation_id}"
        if answer.station_status:
            raise conflict(f"station {made.station_id} refused {what}: {answer.station_status.capitalize()}")
        raise ProblemError(504, "timeout", f"station {made.station_id} did not answer ReserveNow; {what} is Refused")
    response.headers["Location"] = location(made)
    return reservation(made)


async def _listing(
    api: Api,
    limit: int,
    cursor: str | None,
    station_id: str | None,
    status_: Status | None,
    active: bool | None,
) -> Page[Reservation]:
    filters = {"station_id": station_id, "status": status_, "active": active}
    token = page_token(api.cursors, cursor, LISTING, filters)
    start = int(token) if token.isdigit() else 0
    request = authz.ListReservationsRequest(station_id=station_id or "", status=status_ or "", active=bool(active))
    found = await api.authorization.list_reservations(request)
    if active is False:
        found = [r for r in found if r.status != "Accepted"]
    page = found[start : start + limit]
    following = str(start + limit) if start + limit < len(found) else ""
    return Page[Reservation](
        items=[reservation(r) for r in page], next_cursor=next_cursor(api.cursors, following, LISTING, filters)
    )


StatusFilter = Annotated[Status | None, Query(alias="status", description="Only this status as of now.")]
ActiveFilter = Annotated[
    bool | None, Query(description="true: only those that hold now (Accepted, not expired); false: the others.")
]


@router.get("/reservations", dependencies=[READ], summary="List reservations")
async def list_reservations(
    api: Api,
    limit: Limit = 50,
    cursor: Cursor = None,
    station_id: Annotated[str | None, Query(min_length=1, max_length=48, description="Of this station.")] = None,
    status_: StatusFilter = None,
    active: ActiveFilter = None,
) -> Page[Reservation]:
    """By station, newest first within a station. Without `station_id` at most the first 1000 reservations of the
    table are looked at (a scan: filter by station on a large fleet)."""
    return await _listing(api, limit, cursor, station_id, status_, active)


@router.get("/stations/{station_id}/reservations", dependencies=[READ], summary="List a station's reservations")
async def list_station_reservations(
    station_id: StationId,
    api: Api,
    limit: Limit = 50,
    cursor: Cursor = None,
    status_: StatusFilter = None,
    active: ActiveFilter = None,
) -> Page[Reservation]:
    """Newest first."""
    return await _listing(api, limit, cursor, station_id, status_, active)


@router.get("/reservations/{reservation_id}", dependencies=[READ], responses=documented(404), summary="Get one")
async def get_reservation(reservation_id: ReservationId, api: Api) -> Reservation:
    station_id, number = _split(reservation_id)
    return reservation(await api.authorization.get_reservation(station_id, number))


@router.delete(
    "/reservations/{reservation_id}",
    dependencies=[OPERATE],
    responses=documented(404, 409),
    summary="Cancel a reservation",
)
async def cancel_reservation(
    reservation_id: ReservationId, api: Api, timeout_s: Timeout = DEFAULT_TIMEOUT_S
) -> Reservation:
    """Sends CancelReservation and answers once the station answered: the reservation, Cancelled. One that ended
    already is returned as it is (nothing sent). 404: unknown. 409: the station is offline, or refused (it no
    longer knows the reservation). 504: no answer in time."""
    station_id, number = _split(reservation_id)
    request = authz.CancelReservationRequest(
        station_id=station_id, reservation_id=number, timeout_ms=round(timeout_s * 1000)
    )
    answer = await api.authorization.cancel_reservation(request, _deadline_s(timeout_s))
    cancelled = answer.reservation
    if cancelled.status == "Accepted":
        if answer.station_status:
            raise conflict(f"station {station_id} refused to cancel: {answer.station_status.capitalize()}")
        raise ProblemError(504, "timeout", f"station {station_id} did not answer CancelReservation")
    return reservation(cancelled)
