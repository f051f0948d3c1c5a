"""A site's definition as operators write it (the API body of a site, JSON): its limit, unit, voltage, idle
limit, groups and EVSEs, read into the load manager's SiteState with every EVSE idle. Refuses bad input with
BadSite naming the field (a negative limit, an unknown unit or group, an EVSE twice, a minimum above the
maximum). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site, Unit
from csms_smart_charging.load.domain.state import SiteState

SITE_FIELDS = frozenset({"limit", "unit", "voltage_v", "idle_limit_a", "groups", "evses"})
EVSE_FIELDS = frozenset({"station_id", "evse_id", "phases", "min_a", "max_a", "priority", "group_id"})


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
    _unknown("site", body, SITE_FIELDS)
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
    return SiteState(site, demands)
