"""A site's model for the allocator: its limit (A per phase or W), its groups of EVSEs (each with its own limit
in the site's unit) and what each EVSE on it asks for. Validation raises `BadSite` naming the field. Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

MAX_PHASES = 3


class BadSite(ValueError):
    """A site, group or EVSE that cannot be allocated; the message names the field."""


class Unit(StrEnum):
    """A site's limit: amperes per phase, or watts over all phases."""

    AMPERE = "A"
    WATT = "W"


@dataclass(frozen=True, order=True, slots=True)
class EvseKey:
    station_id: str
    evse_id: int

    def __str__(self) -> str:
        return f"{self.station_id}/{self.evse_id}"


def _finite_at_least(name: str, value: float, least: float) -> None:
    if not math.isfinite(value) or value < least:
        raise BadSite(f"{name} must be a finite number >= {least}, got {value!r}")


@dataclass(frozen=True, slots=True)
class Site:
    """`limit` in `unit`; `voltage_v` (phase to neutral) converts amperes to watts for a W site;
    `idle_limit_a` is the TxDefaultProfile limit of every EVSE on the site: what a car draws from its plug-in
    until its own TxProfile arrives, reserved for every idle EVSE so a session start never breaks the limit.
    `groups`: group id -> limit in `unit` (a sub-panel, a feeder)."""

    site_id: str
    limit: float
    unit: Unit = Unit.AMPERE
    voltage_v: float = 230.0
    idle_limit_a: float = 0.0
    groups: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.site_id:
            raise BadSite("site_id must not be empty")
        _finite_at_least("limit", self.limit, 0.0)
        _finite_at_least("voltage_v", self.voltage_v, 1.0)
        _finite_at_least("idle_limit_a", self.idle_limit_a, 0.0)
        for group_id, limit in self.groups.items():
            if not group_id:
                raise BadSite("a group id must not be empty")
            _finite_at_least(f"groups[{group_id}]", limit, 0.0)

    def cost_per_ampere(self, phases: int) -> float:
        """The share of the site's limit (and a group's) one ampere of an EVSE uses. A per-phase limit counts an
        EVSE's current on every phase, whichever phases it uses (the stations' phase rotation is unknown, so
        this is the safe bound); a W limit counts the power of the phases it charges on."""
        return 1.0 if self.unit is Unit.AMPERE else self.voltage_v * phases


@dataclass(frozen=True, slots=True)
class Demand:
    """One EVSE of the site. `active`: a session is charging (or may charge) there; an idle EVSE keeps its
    `idle_limit_a` reserved. `min_a`/`max_a`: what the EVSE (or the car) can use, per phase; `priority` >= 1
    weighs its share; `since` orders who keeps its minimum first among equal priorities (earlier first);
    `cap_a`: what the car was seen to use (with headroom), None when unknown (see `demand_cap`);
    `out_of_service`: the connector in use (`connector_id`, 0: unknown) reported Faulted or Unavailable: the
    EVSE delivers nothing, its session is held at 0 A and nothing is reserved for it until it is back."""

    key: EvseKey
    active: bool
    phases: int = 3
    min_a: float = 6.0
    max_a: float = 32.0
    priority: int = 1
    since: float = 0.0
    group_id: str | None = None
    cap_a: float | None = None
    out_of_service: bool = False
    connector_id: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.phases <= MAX_PHASES:
            raise BadSite(f"{self.key}: phases must be 1, 2 or 3, got {self.phases}")
        _finite_at_least(f"{self.key}: min_a", self.min_a, 0.0)
        _finite_at_least(f"{self.key}: max_a", self.max_a, 0.0)
        if self.max_a < self.min_a:
            raise BadSite(f"{self.key}: max_a {self.max_a} is below min_a {self.min_a}")
        if self.priority < 1:
            raise BadSite(f"{self.key}: priority must be >= 1, got {self.priority}")
        if self.cap_a is not None:
            _finite_at_least(f"{self.key}: cap_a", self.cap_a, 0.0)

    @property
    def ceiling_a(self) -> float:
        """The most this EVSE is given: its maximum, or less when the car was seen to use less (never below
        its minimum)."""
        if self.cap_a is None:
            return self.max_a
        return max(self.min_a, min(self.max_a, self.cap_a))


def demand_cap(granted_a: float | None, drawn_a: float | None, headroom_a: float) -> float | None:
    """The cap a reported draw puts on an EVSE: a car that draws clearly less than it was granted (a full
    battery tapering, an on-board charger smaller than the EVSE) is capped at its draw plus `headroom_a`, so
    the rest goes to the others; a car that uses what it was granted is not capped (None), so it can grow.
    Unknown draw or grant: not capped."""
    if drawn_a is None or granted_a is None:
        return None
    if drawn_a + headroom_a >= granted_a:
        return None
    return drawn_a + headroom_a
