"""A site as the load manager holds it between recomputes. Pure data."""

from __future__ import annotations

from dataclasses import dataclass, field

from csms_smart_charging.load.domain.site import Demand, EvseKey, Site


@dataclass
class SiteState:
    """A site as the load manager holds it: its limits, its EVSEs' demands, the transaction on each charging
    EVSE, the limit each EVSE is known to enforce (`unconfirmed`: those of them sent without an answer, which the
    EVSE may or may not enforce), and the number of the last recompute."""

    site: Site
    demands: dict[EvseKey, Demand] = field(default_factory=dict)
    transactions: dict[EvseKey, str] = field(default_factory=dict)
    installed: dict[EvseKey, float] = field(default_factory=dict)
    unconfirmed: set[EvseKey] = field(default_factory=set)
    sequence: int = 0
