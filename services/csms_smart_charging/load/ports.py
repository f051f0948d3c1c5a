"""Load management's ports: where sites are stored with the state the recompute loop needs after a restart (the
recompute number, the limit each EVSE enforces, the session on each EVSE as the loop sees it). Protocols; the
Cassandra adapter is load/adapters/sites.py, the fake `InMemorySiteRepository` in tests/kit/fakes/load.py."""

from __future__ import annotations

from typing import Protocol

from csms_kernel.ocpp.errors import RetryableError
from csms_smart_charging.load.domain.config import SiteDefinition
from csms_smart_charging.load.domain.site import Demand, EvseKey
from csms_smart_charging.load.domain.state import SiteState


class EvseTaken(Exception):
    """An EVSE of a site being put already belongs to another site."""

    def __init__(self, key: EvseKey, site_id: str) -> None:
        super().__init__(f"EVSE {key} already belongs to site {site_id!r}: remove it there first")
        self.key = key
        self.site_id = site_id


class SitesUnavailable(RetryableError):
    """The site storage did not answer, even after retries."""


class InvalidPageToken(ValueError):
    """A page token this repository did not issue."""


class SiteRepository(Protocol):
    async def put(self, definition: SiteDefinition) -> SiteDefinition | None:
        """Creates or replaces the site and claims its EVSEs (frees those it no longer lists, and forgets their
        enforced limits); returns the definition it replaced (None: a new site). Raises EvseTaken (nothing
        changed) when an EVSE belongs to another site."""

    async def get(self, site_id: str) -> SiteDefinition | None: ...

    async def list(self, page_size: int, page_token: str | None) -> tuple[list[SiteDefinition], str | None]:
        """Up to `page_size` sites in a stable order after `page_token`, and the token of the next page (None: the
        last). Raises InvalidPageToken."""

    async def delete(self, site_id: str) -> SiteDefinition | None:
        """Deletes the site, frees its EVSEs and forgets their enforced limits; returns what it deleted (None: no
        such site). The recompute number is kept: a site put again under the same id never reuses one."""

    async def set_limit(self, site_id: str, limit: float) -> tuple[SiteDefinition, float] | None:
        """Sets the site's limit (in its unit); returns the site and its previous limit (None: no such site).
        Raises BadSite for a limit that is not a finite number >= 0."""

    async def site_of(self, key: EvseKey) -> str | None:
        """The id of the site the EVSE belongs to (None: none)."""

    async def load_state(self, site_id: str) -> SiteState | None:
        """The site as the loop resumes it: the stored sessions (the other EVSEs idle), enforced limits and
        recompute number (None: no such site)."""

    async def save_installed(
        self, site_id: str, key: EvseKey, limit_a: float | None, *, unconfirmed: bool = False
    ) -> None:
        """Stores the limit the EVSE enforces (accepted by its station; `unconfirmed`: sent without an answer, it
        may); None forgets it (the EVSE went idle)."""

    async def next_sequence(self, site_id: str) -> int:
        """Increments and returns the site's recompute number, stored before it returns."""

    async def save_session(self, site_id: str, demand: Demand, transaction_id: str | None) -> None:
        """Stores the EVSE's session as the load loop sees it (active, phases, cap, start order; `transaction_id`
        None: idle, forgotten), so `load_state` resumes it; an EVSE that leaves the site loses it."""

    async def current_sequence(self, site_id: str) -> int:
        """The site's latest recompute number (0: none yet)."""
