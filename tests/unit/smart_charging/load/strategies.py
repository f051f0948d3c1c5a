"""Hypothesis strategies of sites and the demands of their EVSEs (random sessions, limits, groups)."""

from __future__ import annotations

from hypothesis import strategies as st

from csms_smart_charging.load.domain.site import Demand, EvseKey, Site, Unit

GROUPS = ("g1", "g2")


@st.composite
def sites(draw: st.DrawFn, idle_limits: st.SearchStrategy[float] | None = None) -> Site:
    unit = draw(st.sampled_from(Unit))
    scale = 1.0 if unit is Unit.AMPERE else 230.0 * 3
    limit = draw(st.floats(0.0, 400.0, allow_nan=False)) * scale
    groups = draw(st.dictionaries(st.sampled_from(GROUPS), st.floats(0.0, 200.0).map(lambda v: v * scale)))
    idle = draw(idle_limits if idle_limits is not None else st.sampled_from((0.0, 0.0, 6.0)))
    return Site("S", limit, unit, 230.0, idle, groups)


@st.composite
def demands(draw: st.DrawFn, site: Site, max_evses: int = 30) -> list[Demand]:
    count = draw(st.integers(0, max_evses))
    found: list[Demand] = []
    for index in range(count):
        min_a = draw(st.sampled_from((0.0, 6.0, 6.0, 8.0, 10.0, 6.5)))
        max_a = draw(st.floats(min_a, 80.0))
        cap = draw(st.none() | st.floats(0.0, 80.0))
        found.append(
            Demand(
                EvseKey(f"CP-{index // 2}", index % 2 + 1),
                active=draw(st.booleans()),
                phases=draw(st.sampled_from((1, 3))),
                min_a=min_a,
                max_a=max_a,
                priority=draw(st.integers(1, 4)),
                since=float(draw(st.integers(0, 50))),
                group_id=draw(st.none() | st.sampled_from(sorted(site.groups))) if site.groups else None,
                cap_a=cap,
            )
        )
    return found
