"""The allocation of a site's limit to its EVSEs, a pure function of the site and its demands.

1. Idle EVSEs keep the site's `idle_limit_a` (their TxDefaultProfile), reserved before anything else.
2. Admission: active EVSEs by priority (highest first), then by `since`, get their minimum if it fits in the
   site and in their group; one that does not fit is paused (limit 0), never left below its minimum. An active
   EVSE out of service (its connector Faulted or Unavailable) is paused and takes nothing.
3. Fair share: the admitted ones grow together, in proportion to their priority, towards a common level
   (weighted max-min fairness: every EVSE ends at priority x level, clamped to [min, ceiling]); a group or the
   site that fills up freezes its members, and what an EVSE cannot use (its ceiling) goes to the others.
4. Limits are rounded down to 0.1 A (never below the minimum), so the sums stay within every limit.

Cost O(n log n) (a sorted sweep per limit). No I/O.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site

SITE = "site"
STEP_A = 0.1
_EPSILON = 1e-9


class GrantState(StrEnum):
    CHARGING = "charging"
    PAUSED = "paused"
    IDLE = "idle"


@dataclass(frozen=True, slots=True)
class Grant:
    """What one EVSE may draw, per phase. A paused EVSE gets 0 A: its minimum did not fit."""

    key: EvseKey
    limit_a: float
    phases: int
    state: GrantState


@dataclass(frozen=True, slots=True)
class Allocation:
    """`usage`: what the grants use of each limit ("site" and every group id), in the site's unit."""

    site: Site
    grants: Mapping[EvseKey, Grant]
    usage: Mapping[str, float]

    @property
    def paused(self) -> tuple[EvseKey, ...]:
        return tuple(sorted(key for key, grant in self.grants.items() if grant.state is GrantState.PAUSED))

    def limit_of(self, constraint: str) -> float:
        return self.site.limit if constraint == SITE else self.site.groups[constraint]


def constraints_of(demand: Demand) -> tuple[str, ...]:
    return (SITE,) if demand.group_id is None else (SITE, demand.group_id)


def usage_of(site: Site, demands: Iterable[Demand], limits_a: Mapping[EvseKey, float]) -> dict[str, float]:
    """What EVSEs at `limits_a` use of the site's and the groups' limits (idle EVSEs at the idle limit)."""
    usage = dict.fromkeys((SITE, *site.groups), 0.0)
    for demand in demands:
        limit_a = limits_a[demand.key] if demand.active else site.idle_limit_a
        for constraint in constraints_of(demand):
            usage[constraint] += limit_a * site.cost_per_ampere(demand.phases)
    return usage


def allocate(site: Site, demands: Sequence[Demand]) -> Allocation:
    """The grants of every EVSE in `demands`; raises BadSite for an EVSE twice or in an unknown group."""
    seen: set[EvseKey] = set()
    for demand in demands:
        if demand.key in seen:
            raise BadSite(f"{demand.key}: EVSE listed twice")
        seen.add(demand.key)
        if demand.group_id is not None and demand.group_id not in site.groups:
            raise BadSite(f"{demand.key}: unknown group {demand.group_id!r}")
    remaining = {SITE: site.limit, **site.groups}
    for demand in demands:
        if not demand.active:
            for constraint in constraints_of(demand):
                remaining[constraint] -= site.idle_limit_a * site.cost_per_ampere(demand.phases)
    capacity = dict(remaining)
    admitted = _admit(site, [d for d in demands if d.active and not d.out_of_service], remaining)
    levels = _fill(site, admitted, remaining)
    limits = _round_down(site, admitted, levels, capacity)
    grants: dict[EvseKey, Grant] = {}
    for demand in demands:
        if not demand.active:
            grants[demand.key] = Grant(demand.key, site.idle_limit_a, demand.phases, GrantState.IDLE)
        elif demand.key in limits:
            grants[demand.key] = Grant(demand.key, limits[demand.key], demand.phases, GrantState.CHARGING)
        else:
            grants[demand.key] = Grant(demand.key, 0.0, demand.phases, GrantState.PAUSED)
    all_limits = {key: grant.limit_a for key, grant in grants.items()}
    return Allocation(site, grants, usage_of(site, demands, all_limits))


def _admit(site: Site, active: Sequence[Demand], remaining: dict[str, float]) -> list[Demand]:
    """Minimums by priority then age; `remaining` is left with what the admitted minimums did not use."""
    admitted: list[Demand] = []
    for demand in sorted(active, key=lambda d: (-d.priority, d.since, d.key)):
        cost = demand.min_a * site.cost_per_ampere(demand.phases)
        constraints = constraints_of(demand)
        if all(remaining[c] - cost >= -_EPSILON for c in constraints):
            for constraint in constraints:
                remaining[constraint] -= cost
            admitted.append(demand)
    return admitted


def _fill(site: Site, admitted: Sequence[Demand], remaining: dict[str, float]) -> dict[EvseKey, float]:
    """Weighted progressive filling from the minimums: at level t EVSE i holds clamp(priority_i x t, min_i,
    ceiling_i). Each group's limit freezes its members at the level that fills it; the site's freezes the rest
    at the level that fills the site. Exact: the levels come from a sweep over the EVSEs' breakpoints."""
    capacity = {c: max(0.0, r) for c, r in remaining.items()}
    group_levels = {
        group: _level([d for d in admitted if d.group_id == group], site, capacity[group], {}) for group in site.groups
    }
    caps = {d.key: group_levels[d.group_id] for d in admitted if d.group_id is not None}
    site_level = _level(admitted, site, capacity[SITE], caps)
    return {d.key: _at(d, min(site_level, caps.get(d.key, math.inf))) for d in admitted}


def _at(demand: Demand, level: float) -> float:
    return min(demand.ceiling_a, max(demand.min_a, demand.priority * level))


def _level(members: Sequence[Demand], site: Site, capacity: float, caps: Mapping[EvseKey, float]) -> float:
    """The level at which `members` (each above its minimum, frozen at its cap level if any) use `capacity`
    beyond their minimums; inf when they never do."""
    events: list[tuple[float, float]] = []
    for demand in members:
        ceiling = _at(demand, caps[demand.key]) if demand.key in caps else demand.ceiling_a
        if ceiling <= demand.min_a:
            continue
        rate = demand.priority * site.cost_per_ampere(demand.phases)
        events.append((demand.min_a / demand.priority, rate))
        events.append((ceiling / demand.priority, -rate))
    events.sort()
    level, used, slope = 0.0, 0.0, 0.0
    for at, change in events:
        reached = used + slope * (at - level)
        if slope > 0 and reached >= capacity:
            return level + (capacity - used) / slope
        level, used, slope = at, reached, slope + change
    return math.inf


def _round_down(
    site: Site, admitted: Sequence[Demand], levels: Mapping[EvseKey, float], capacity: Mapping[str, float]
) -> dict[EvseKey, float]:
    """Limits in steps of 0.1 A, never above the computed level nor below the minimum; then any float excess
    over a limit (`capacity`: what the idle reservations left of it) is taken back from the largest grants
    above their minimum."""
    limits = {d.key: max(d.min_a, math.floor(levels[d.key] / STEP_A + _EPSILON) * STEP_A) for d in admitted}
    for constraint, limit in capacity.items():
        members = [d for d in admitted if constraint in constraints_of(d)]
        used = sum(limits[d.key] * site.cost_per_ampere(d.phases) for d in members)
        for demand in sorted(members, key=lambda d: -limits[d.key]):
            if used <= limit:
                break
            cost = site.cost_per_ampere(demand.phases)
            cut = min(limits[demand.key] - demand.min_a, math.ceil((used - limit) / cost / STEP_A) * STEP_A)
            limits[demand.key] -= cut
            used -= cut * cost
    return limits
