"""Properties of the push plan: whatever subset of the pushes has reached the stations, the site and its groups
stay within their limits (lowers first, raises after), and no EVSE is left above its new limit."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from csms_smart_charging.load.domain.allocator import SITE, GrantState, allocate, constraints_of
from csms_smart_charging.load.domain.pushes import plan_pushes
from csms_smart_charging.load.domain.site import Demand, EvseKey, Site
from unit.smart_charging.load.strategies import demands, sites

TOLERANCE = 1e-6


@st.composite
def transitions(draw: st.DrawFn) -> tuple[Site, list[Demand], list[Demand]]:
    """A site and its demands before and after: sessions start and end, draws and priorities change. A session
    that ends hands its EVSE back to the idle limit, so that limit is 0 here (the strict default, ADR 0042)."""
    site = draw(sites(idle_limits=st.just(0.0)))
    before = draw(demands(site, max_evses=20))
    after = []
    for demand in before:
        after.append(
            dataclasses.replace(
                demand,
                active=draw(st.booleans()) if draw(st.booleans()) else demand.active,
                cap_a=draw(st.none() | st.floats(0.0, 80.0)) if draw(st.booleans()) else demand.cap_a,
                priority=draw(st.integers(1, 4)) if draw(st.booleans()) else demand.priority,
            )
        )
    return site, before, after


def worst_usage(site: Site, after: list[Demand], limits: dict[EvseKey, float], constraint: str) -> float:
    return sum(
        limits.get(d.key, site.idle_limit_a) * site.cost_per_ampere(d.phases)
        for d in after
        if d.active and constraint in constraints_of(d)
    )


@settings(max_examples=300, deadline=None)
@given(transitions())
def test_the_limit_holds_while_the_pushes_travel(case: tuple[Site, list[Demand], list[Demand]]) -> None:
    site, before, after = case
    old = allocate(site, before)
    installed = {key: g.limit_a for key, g in old.grants.items() if g.state is not GrantState.IDLE}
    new = allocate(site, after)
    plan = plan_pushes(installed, new)
    assert all(p.limit_a < p.previous_a for p in plan.lowers)
    assert all(p.limit_a > p.previous_a for p in plan.raises)
    lowered = {p.key for p in plan.lowers}
    # during the lowers: every EVSE at its old limit (a lower not yet applied is the worst case)
    during_lowers = {d.key: installed.get(d.key, site.idle_limit_a) for d in after if d.active}
    # during the raises: every lower applied, every raise maybe (its new limit is the worst case)
    during_raises = {key: new.grants[key].limit_a if key in lowered else limit for key, limit in during_lowers.items()}
    during_raises.update({p.key: p.limit_a for p in plan.raises})
    for constraint in (SITE, *site.groups):
        limit = new.limit_of(constraint)
        for moment in (during_lowers, during_raises):
            assert worst_usage(site, after, moment, constraint) <= limit + TOLERANCE * max(1.0, limit)
    # once all is sent, nobody is above its new limit
    for key, limit in during_raises.items():
        assert limit <= new.grants[key].limit_a + TOLERANCE


@settings(max_examples=200, deadline=None)
@given(sites(idle_limits=st.just(0.0)).flatmap(lambda s: st.tuples(st.just(s), demands(s, 20), st.floats(0.0, 1.0))))
def test_a_lowered_site_limit_is_reached_once_the_lowers_are_applied(case: tuple[Site, list[Demand], float]) -> None:
    site, found, factor = case
    old = allocate(site, found)
    installed = {key: g.limit_a for key, g in old.grants.items() if g.state is GrantState.CHARGING}
    lowered_site = dataclasses.replace(site, limit=site.limit * factor)
    new = allocate(lowered_site, found)
    plan = plan_pushes(installed, new)
    after_lowers = dict(installed)
    after_lowers.update({p.key: p.limit_a for p in plan.lowers})
    after_lowers.update({key: 0.0 for key in new.paused})
    assert worst_usage(lowered_site, found, after_lowers, SITE) <= lowered_site.limit + TOLERANCE * max(1.0, site.limit)


def test_lowers_come_before_raises_when_a_session_starts() -> None:
    site = Site("S", 32.0)
    first = Demand(EvseKey("A", 1), active=True)
    second = Demand(EvseKey("B", 1), active=True, since=1.0)
    plan = plan_pushes({first.key: 32.0}, allocate(site, [first, second]))
    assert [(str(p.key), p.previous_a, p.limit_a) for p in plan.lowers] == [("A/1", 32.0, 16.0)]
    assert [(str(p.key), p.previous_a, p.limit_a) for p in plan.raises] == [("B/1", 0.0, 16.0)]


def test_small_raises_wait_and_unchanged_limits_are_not_sent() -> None:
    site = Site("S", 32.0)
    car = Demand(EvseKey("A", 1), active=True)
    assert not plan_pushes({car.key: 32.0}, allocate(site, [car]))
    assert not plan_pushes({car.key: 31.5}, allocate(site, [car]), min_raise_a=1.0)
    assert plan_pushes({car.key: 31.5}, allocate(site, [car])).raises


def test_an_unconfirmed_limit_the_allocation_keeps_is_sent_again_with_the_raises() -> None:
    a, b = EvseKey("A", 1), EvseKey("B", 1)
    allocation = allocate(Site("S", 32.0), [Demand(a, active=True), Demand(b, active=True)])
    installed = {a: 16.0, b: 20.0}
    plan = plan_pushes(installed, allocation, 1.0, unconfirmed={a, b})
    assert [(push.key, push.limit_a) for push in plan.lowers] == [(b, 16.0)]
    assert [(push.key, push.previous_a, push.limit_a) for push in plan.raises] == [(a, 16.0, 16.0)]
    assert not plan_pushes(installed | {b: 16.0}, allocation, 1.0)
