"""Load-management sites under `/api/v1/sites` (docs/adr/0042): a site is a grid connection's limit (A per phase
or W) shared by its EVSEs, in groups with limits of their own. `GET` lists them, `PUT /{id}` defines or replaces
one, `GET /{id}` shows it, `DELETE /{id}` removes it (its EVSEs are free again), `PUT /{id}/limit` changes its limit
(an operator's or a grid operator's signal, followed by the fleet within seconds), `GET /{id}/allocation` shows
what each EVSE is allowed now. A limit below the EVSEs' minimums is accepted; the answer's `shortfall` says which
EVSEs would be paused. Translation to SmartChargingService only."""

from __future__ import annotations

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field

from csms.smart_charging.v1 import smart_charging_pb2 as sc
from csms_api.api.auth import OPERATE, READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, next_cursor, page_token
from csms_api.api.problems import documented

router = APIRouter(prefix="/api/v1/sites", tags=["sites"])
Api = Annotated[ApiContext, Depends(context)]
SiteId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
        description="The site's id: letters, digits, '.', '_' and '-'.",
    ),
]
Unit = Literal["A", "W"]
LISTING = "sites"


class SiteEvse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    station_id: str = Field(min_length=1, max_length=48)
    evse_id: int = Field(ge=1, description="1.6: the connector id.")
    phases: int = Field(default=3, ge=1, le=3, description="The phases the EVSE charges on.")
    min_a: float = Field(
        default=6.0, ge=0, description="Per phase: below this the EVSE is paused (0 A) rather than starved."
    )
    max_a: float = Field(default=32.0, ge=0, description="Per phase: the most it is given.")
    priority: int = Field(default=1, ge=1, description="Weighs its share and keeps its minimum first.")
    group_id: str | None = Field(default=None, description="One of the site's groups.")


class SiteBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    limit: float = Field(ge=0, description="In `unit`: amperes per phase (A) or watts over all phases (W).")
    unit: Unit = "A"
    voltage_v: float = Field(default=230.0, ge=1, description="Phase to neutral; converts amperes to watts.")
    idle_limit_a: float = Field(
        default=0.0,
        ge=0,
        description="The TxDefaultProfile limit of every EVSE, reserved for each idle one: what a car draws from "
        "its plug-in until its own profile arrives (0: it waits for it).",
    )
    groups: dict[str, float] = Field(
        default_factory=dict, description="Group id -> limit in `unit` (a sub-panel, a feeder)."
    )
    evses: list[SiteEvse] = Field(default_factory=list, description="Each EVSE is on one site at most.")


class Site(SiteBody):
    site_id: str


class Shortfall(BaseModel):
    minimum_sum: float = Field(description="The EVSEs' minimums added up, in the site's unit.")
    below_minimums: bool = Field(description="The limit is below minimum_sum: not every EVSE can charge at once.")
    would_pause: list[str] = Field(
        description="`station/evse` of the EVSEs charging at the last recompute that this limit would pause."
    )


class SiteAnswer(BaseModel):
    site: Site
    shortfall: Shortfall


class LimitBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    limit: float = Field(ge=0, description="The new limit, in the site's unit.")
    unit: Unit | None = Field(default=None, description="The site's unit (a check: 422 if it is not).")


class EvseAllocation(BaseModel):
    station_id: str
    evse_id: int
    limit_a: float | None = Field(description="The enforced limit per phase; null: idle or not recomputed yet.")
    paused: bool = Field(description="Held at 0 A: its minimum does not fit.")
    phases: int
    group_id: str | None


class Allocation(BaseModel):
    site_id: str
    sequence: int = Field(description="The number of the last recompute (0: none yet).")
    limit: float
    unit: Unit
    allocated: float = Field(description="The enforced limits added up, in the site's unit.")
    evses: list[EvseAllocation]


def site(message: sc.Site) -> Site:
    return Site(
        site_id=message.site_id,
        name=message.name,
        limit=message.limit,
        unit="W" if message.unit == "W" else "A",
        voltage_v=message.voltage_v,
        idle_limit_a=message.idle_limit_a,
        groups=dict(sorted(message.groups.items())),
        evses=[
            SiteEvse(
                station_id=e.station_id,
                evse_id=e.evse_id,
                phases=e.phases,
                min_a=e.min_a,
                max_a=e.max_a,
                priority=e.priority,
                group_id=e.group_id or None,
            )
            for e in message.evses
        ],
    )


def answer(message: sc.SiteResponse) -> SiteAnswer:
    found = message.shortfall
    return SiteAnswer(
        site=site(message.site),
        shortfall=Shortfall(
            minimum_sum=found.minimum_sum,
            below_minimums=found.below_minimums,
            would_pause=[f"{ref.station_id}/{ref.evse_id}" for ref in found.would_pause],
        ),
    )


def allocation(message: sc.SiteAllocation) -> Allocation:
    return Allocation(
        site_id=message.site_id,
        sequence=message.sequence,
        limit=message.limit,
        unit="W" if message.unit == "W" else "A",
        allocated=message.allocated,
        evses=[
            EvseAllocation(
                station_id=e.station_id,
                evse_id=e.evse_id,
                limit_a=e.limit_a if e.enforced else None,
                paused=e.paused,
                phases=e.phases,
                group_id=e.group_id or None,
            )
            for e in message.evses
        ],
    )


@router.get("", dependencies=[READ], summary="List sites")
async def list_sites(api: Api, limit: Limit = 50, cursor: Cursor = None) -> Page[Site]:
    request = sc.ListSitesRequest(page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, {}))
    page = await api.smart_charging.list_sites(request)
    return Page[Site](
        items=[site(found) for found in page.sites],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, {}),
    )


@router.put("/{site_id}", dependencies=[OPERATE], responses=documented(409, 422), summary="Define a site")
async def put_site(site_id: SiteId, body: SiteBody, api: Api) -> SiteAnswer:
    """Creates the site or replaces its whole definition. 409: an EVSE already belongs to another site (named);
    422: a bad definition (an unknown group, an EVSE twice, a minimum above its maximum...)."""
    definition = json.dumps(body.model_dump(exclude_none=True))
    return answer(await api.smart_charging.put_site(site_id, definition))


@router.get("/{site_id}", dependencies=[READ], responses=documented(404), summary="A site")
async def get_site(site_id: SiteId, api: Api) -> SiteAnswer:
    return answer(await api.smart_charging.get_site(site_id))


@router.delete(
    "/{site_id}",
    dependencies=[OPERATE],
    status_code=status.HTTP_204_NO_CONTENT,
    responses=documented(404),
    summary="Delete a site",
)
async def delete_site(site_id: SiteId, api: Api) -> None:
    """Removes the site; its EVSEs may join another one."""
    await api.smart_charging.delete_site(site_id)


@router.put("/{site_id}/limit", dependencies=[OPERATE], responses=documented(404, 422), summary="Change a site's limit")
async def set_limit(site_id: SiteId, body: LimitBody, api: Api) -> SiteAnswer:
    """Sets the site's limit (an operator's or a grid operator's signal); the site's EVSEs get their new limits
    within seconds (lowers first). A limit below the EVSEs' minimums is accepted: `shortfall` says which would be
    paused. 422: a unit that is not the site's."""
    request = sc.SetSiteLimitRequest(site_id=site_id, limit=body.limit, unit=body.unit or "")
    return answer(await api.smart_charging.set_site_limit(request))


@router.get(
    "/{site_id}/allocation", dependencies=[READ], responses=documented(404), summary="What a site's EVSEs may draw"
)
async def get_allocation(site_id: SiteId, api: Api) -> Allocation:
    """Each EVSE's enforced limit as the load loop last stored it (accepted by its station), and their sum."""
    return allocation(await api.smart_charging.site_allocation(site_id))
