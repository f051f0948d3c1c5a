"""The operator's side of load management: define, read, list and delete sites and change their limits. Each
change is stored, then published as a site-keyed event on csms.smart_charging.events.v1 (SiteDefined,
SiteLimitChanged, SiteDeleted) and acknowledged by Kafka before the call returns, so the instance running the
site's loop learns it; a publication that fails leaves the change stored and raises EventLogUnavailable (the
caller repeats the call: every one is idempotent). A limit below the EVSEs' minimums is accepted (a grid
operator's signal must be followed): the answer's shortfall says which EVSEs the allocator would pause.
Side effects: the repository's and the publisher's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from csms.smart_charging.v1 import smart_charging_pb2
from csms_smart_charging.load.app.loop import UnknownSite
from csms_smart_charging.load.domain.config import SiteDefinition, check_site_id, parse_definition
from csms_smart_charging.load.domain.site import BadSite, Unit
from csms_smart_charging.load.domain.sites import (
    allocation_message,
    shortfall,
    site_defined,
    site_deleted,
    site_limit_changed,
)
from csms_smart_charging.load.ports import SiteRepository
from csms_smart_charging.ports import SmartChargingEventPublisher

MAX_PAGE = 500
DEFAULT_PAGE = 100


@dataclass(frozen=True)
class SiteAnswer:
    definition: SiteDefinition
    shortfall: smart_charging_pb2.SiteShortfall


class SiteAdmin:
    def __init__(
        self, sites: SiteRepository, events: SmartChargingEventPublisher, clock: Callable[[], datetime]
    ) -> None:
        self._sites = sites
        self._events = events
        self._clock = clock

    async def put(self, site_id: str, body: Any) -> SiteAnswer:
        """Creates or replaces the site. Raises BadSite (the reason named) or EvseTaken."""
        definition = parse_definition(site_id, body)
        await self._sites.put(definition)
        await self._events.publish([site_defined(definition, self._clock())])
        return await self._answer(definition)

    async def get(self, site_id: str) -> SiteAnswer:
        return await self._answer(await self._definition(site_id))

    async def list(self, page_size: int, page_token: str | None) -> tuple[list[SiteDefinition], str | None]:
        """Raises BadSite for a page size outside 1..500 (0: 100), InvalidPageToken."""
        if not 0 <= page_size <= MAX_PAGE:
            raise BadSite(f"page_size must be 1..{MAX_PAGE}, got {page_size}")
        return await self._sites.list(page_size or DEFAULT_PAGE, page_token or None)

    async def delete(self, site_id: str) -> None:
        check_site_id(site_id)
        if await self._sites.delete(site_id) is None:
            raise UnknownSite(f"no site {site_id!r}")
        await self._events.publish([site_deleted(site_id, self._clock())])

    async def set_limit(self, site_id: str, limit: float, unit: str = "") -> SiteAnswer:
        """Raises BadSite for a limit that is not a finite number >= 0 or given in another unit than the site's."""
        definition = await self._definition(site_id)
        if unit and unit != definition.site.unit.value:
            raise BadSite(
                f"site {site_id}'s limit is in {definition.site.unit.value} ({_unit_name(definition.site.unit)}), "
                f"not {unit!r}: give the limit in {definition.site.unit.value}"
            )
        changed = await self._sites.set_limit(site_id, limit)
        if changed is None:
            raise UnknownSite(f"no site {site_id!r}")
        definition, previous = changed
        await self._events.publish([site_limit_changed(definition, previous, self._clock())])
        return await self._answer(definition)

    async def allocation(self, site_id: str) -> smart_charging_pb2.SiteAllocation:
        definition = await self._definition(site_id)
        state = await self._sites.load_state(site_id)
        if state is None:
            raise UnknownSite(f"no site {site_id!r}")
        return allocation_message(definition, state)

    async def _definition(self, site_id: str) -> SiteDefinition:
        check_site_id(site_id)
        definition = await self._sites.get(site_id)
        if definition is None:
            raise UnknownSite(f"no site {site_id!r}")
        return definition

    async def _answer(self, definition: SiteDefinition) -> SiteAnswer:
        state = await self._sites.load_state(definition.site_id)
        installed = state.installed if state is not None else {}
        return SiteAnswer(definition, shortfall(definition, installed))


def _unit_name(unit: Unit) -> str:
    return "amperes per phase" if unit is Unit.AMPERE else "watts"
