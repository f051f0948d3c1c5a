"""A site's definition as operators write it (the API body of a site, JSON): its name, limit, unit, voltage, idle
limit, groups and EVSEs, read into a SiteDefinition (and the load manager's SiteState with every EVSE idle).
Refuses bad input with BadSite naming the field (a bad site id, a negative limit, an unknown unit or group, an
EVSE twice, a minimum above the maximum). Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site, Unit
from csms_smart_charging.load.domain.state import SiteState

SITE_FIELDS = frozenset({"name", "limit", "unit", "voltage_v", "idle_limit_a", "groups", "evses"})
EVSE_FIELDS = frozenset({"station_id", "evse_id", "phases", "min_a", "max_a", "priority", "group_id"})


MAX_SITE_ID = 64
MAX_NAME = 200
_SITE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True, slots=True)
class SiteDefinition:
    """A site as stored: its allocator model, a display name, and its member EVSEs (idle demands carrying each
    EVSE's phases, minimum, maximum, priority and group), in the order given."""

    site: Site
    evses: Mapping[EvseKey, Demand]
    name: str = ""

    @property
    def site_id(self) -> str:
        return self.site.site_id

    def state(self) -> SiteState:
        """The load manager's state of the site: every EVSE idle, nothing installed, recompute 0."""
        return SiteState(self.site, dict(self.evses))


def check_site_id(site_id: str) -> str:
    """`site_id` when it is 1..64 characters of letters, digits, '.', '_' and '-' (starting with a letter or
    digit: it goes in URLs and Kafka keys); BadSite otherwise."""
    if not isinstance(site_id, str) or len(site_id) > MAX_SITE_ID or not _SITE_ID.fullmatch(site_id):
        raise BadSite(
            f"site id must be 1..{MAX_SITE_ID} letters, digits, '.', '_' or '-' starting with a letter or digit, "
            f"got {site_id!r}"
        )
    return site_id


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadSite(f"{where} must be a number, got {value!r}")
    return float(value)


def _integer(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadSite(f"{where} must be an integer, got {value!r}")
    return value


def _unknown(where: str, body: Mapping[str, Any], known: frozenset[str]) -> None:
    extra = sorted(set(body) - known)
    if extra:
        raise BadSite(f"{where}: unknown field(s) {', '.join(extra)}")


def parse_site(site_id: str, body: Mapping[str, Any]) -> SiteState:
    return parse_definition(site_id, body).state()


def parse_definition(site_id: str, body: Mapping[str, Any]) -> SiteDefinition:
    check_site_id(site_id)
    if not isinstance(body, Mapping):
        raise BadSite("a site definition must be an object")
    _unknown("site", body, SITE_FIELDS)
    name = body.get("name", "")
    if not isinstance(name, str) or len(name) > MAX_NAME:
        raise BadSite(f"name must be a string of at most {MAX_NAME} characters")
    if "limit" not in body:
        raise BadSite("limit is required")
    try:
        unit = Unit(body.get("unit", "A"))
    except ValueError:
        raise BadSite(f"unit must be A or W, got {body.get('unit')!r}") from None
    groups = body.get("groups") or {}
    if not isinstance(groups, Mapping):
        raise BadSite("groups must be an object of group id -> limit")
    site = Site(
        site_id,
        _number("limit", body["limit"]),
        unit,
        _number("voltage_v", body.get("voltage_v", 230.0)),
        _number("idle_limit_a", body.get("idle_limit_a", 0.0)),
        {str(group): _number(f"groups[{group}]", limit) for group, limit in groups.items()},
    )
    evses = body.get("evses") or []
    if not isinstance(evses, list):
        raise BadSite("evses must be a list")
    demands: dict[EvseKey, Demand] = {}
    for index, evse in enumerate(evses):
        where = f"evses[{index}]"
        if not isinstance(evse, Mapping):
            raise BadSite(f"{where} must be an object")
        _unknown(where, evse, EVSE_FIELDS)
        station_id = evse.get("station_id")
        if not isinstance(station_id, str) or not station_id:
            raise BadSite(f"{where}.station_id must be a non-empty string")
        key = EvseKey(station_id, _integer(f"{where}.evse_id", evse.get("evse_id")))
        if key.evse_id < 1:
            raise BadSite(f"{where}.evse_id must be >= 1")
        if key in demands:
            raise BadSite(f"{where}: EVSE {key} listed twice")
        group_id = evse.get("group_id")
        if group_id is not None and group_id not in site.groups:
            raise BadSite(f"{where}.group_id: unknown group {group_id!r}")
        demands[key] = Demand(
            key,
            active=False,
            phases=_integer(f"{where}.phases", evse.get("phases", 3)),
            min_a=_number(f"{where}.min_a", evse.get("min_a", 6.0)),
            max_a=_number(f"{where}.max_a", evse.get("max_a", 32.0)),
            priority=_integer(f"{where}.priority", evse.get("priority", 1)),
            group_id=group_id,
        )
    return SiteDefinition(site, demands, name)


def minimum_sum(definition: SiteDefinition) -> float:
    """The member EVSEs' minimums added up, in the site's unit: what the limit must allow for all of them to
    charge at once."""
    site = definition.site
    return sum(site.cost_per_ampere(evse.phases) * evse.min_a for evse in definition.evses.values())
