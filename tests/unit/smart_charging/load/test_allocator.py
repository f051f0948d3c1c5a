"""Properties of the allocator over random sites and sessions: no limit ever exceeded, minimums kept or the car
paused, pauses only when the minimums do not fit, weighted fair shares, and unused capacity redistributed."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from csms_smart_charging.load.domain.allocator import SITE, STEP_A, Allocation, GrantState, allocate, constraints_of
from csms_smart_charging.load.domain.site import BadSite, Demand, EvseKey, Site, Unit, demand_cap
from unit.smart_charging.load.strategies import demands, sites

TOLERANCE = 1e-6


@st.composite
def cases(draw: st.DrawFn) -> tuple[Site, list[Demand]]:
    site = draw(sites())
    return site, draw(demands(site))


def idle_usage(site: Site, found: list[Demand], constraint: str) -> float:
    return sum(
        site.idle_limit_a * site.cost_per_ampere(d.phases)
        for d in found
        if not d.active and constraint in constraints_of(d)
    )


def rank(demand: Demand) -> tuple[int, float, EvseKey]:
    return (-demand.priority, demand.since, demand.key)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_no_limit_is_ever_exceeded_by_the_sessions(case: tuple[Site, list[Demand]]) -> None:
    site, found = case
    allocation = allocate(site, found)
    for constraint in (SITE, *site.groups):
        active = allocation.usage[constraint] - idle_usage(site, found, constraint)
        room = max(0.0, allocation.limit_of(constraint) - idle_usage(site, found, constraint))
        assert active <= room + TOLERANCE * max(1.0, room), constraint


@settings(max_examples=200, deadline=None)
@given(cases())
def test_every_grant_is_within_its_bounds_or_a_pause(case: tuple[Site, list[Demand]]) -> None:
    site, found = case
    allocation = allocate(site, found)
    assert set(allocation.grants) == {d.key for d in found}
    for demand in found:
        grant = allocation.grants[demand.key]
        if not demand.active:
            assert grant.state is GrantState.IDLE and grant.limit_a == site.idle_limit_a
        elif grant.state is GrantState.PAUSED:
            assert grant.limit_a == 0.0
        else:
            assert demand.min_a <= grant.limit_a <= demand.ceiling_a + TOLERANCE
            assert abs(grant.limit_a * 10 - round(grant.limit_a * 10)) < 1e-6 or grant.limit_a == demand.min_a


@settings(max_examples=200, deadline=None)
@given(cases())
def test_a_car_is_paused_only_when_its_minimum_does_not_fit_beside_those_ranked_before_it(
    case: tuple[Site, list[Demand]],
) -> None:
    site, found = case
    allocation = allocate(site, found)
    charging = [d for d in found if allocation.grants[d.key].state is GrantState.CHARGING]
    for paused in (d for d in found if allocation.grants[d.key].state is GrantState.PAUSED):
        before = [d for d in charging if rank(d) < rank(paused)]
        overflows = []
        for constraint in constraints_of(paused):
            minimums = sum(d.min_a * site.cost_per_ampere(d.phases) for d in before if constraint in constraints_of(d))
            need = paused.min_a * site.cost_per_ampere(paused.phases)
            room = allocation.limit_of(constraint) - idle_usage(site, found, constraint) - minimums
            overflows.append(need > room)
        assert any(overflows), paused.key


@settings(max_examples=300, deadline=None)
@given(cases())
def test_nobody_is_paused_when_every_minimum_fits(case: tuple[Site, list[Demand]]) -> None:
    site, found = case
    fits = all(
        sum(
            d.min_a * site.cost_per_ampere(d.phases) if d.active else site.idle_limit_a * site.cost_per_ampere(d.phases)
            for d in found
            if constraint in constraints_of(d)
        )
        <= limit
        for constraint, limit in {SITE: site.limit, **site.groups}.items()
    )
    if fits:
        assert allocate(site, found).paused == ()


@settings(max_examples=200, deadline=None)
@given(cases())
def test_shares_follow_priorities_between_evses_under_the_same_limits(case: tuple[Site, list[Demand]]) -> None:
    site, found = case
    allocation = allocate(site, found)
    charging = [d for d in found if allocation.grants[d.key].state is GrantState.CHARGING]
    slack = 2 * STEP_A
    for i in charging:
        limit_i = allocation.grants[i.key].limit_a
        if limit_i >= i.ceiling_a - slack:
            continue
        for j in charging:
            limit_j = allocation.grants[j.key].limit_a
            if j.group_id != i.group_id or limit_j <= j.min_a + slack:
                continue
            # j got more than its minimum while i was held below its ceiling: j's share per priority is not above i's
            assert (limit_j - slack) / j.priority <= (limit_i + slack) / i.priority, (i.key, j.key)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_unused_capacity_is_redistributed(case: tuple[Site, list[Demand]]) -> None:
    site, found = case
    allocation = allocate(site, found)
    charging = [d for d in found if allocation.grants[d.key].state is GrantState.CHARGING]
    for demand in charging:
        if allocation.grants[demand.key].limit_a >= demand.ceiling_a - STEP_A - TOLERANCE:
            continue
        # held below its ceiling: one of its limits is full, but for the 0.1 A rounding of its members
        full = []
        for constraint in constraints_of(demand):
            members = [d for d in charging if constraint in constraints_of(d)]
            rounding = sum(STEP_A * site.cost_per_ampere(d.phases) for d in members) + TOLERANCE
            full.append(allocation.limit_of(constraint) - allocation.usage[constraint] <= rounding)
        assert any(full), demand.key


def test_a_site_of_equal_cars_shares_equally_and_a_tapering_car_gives_its_rest_away() -> None:
    site = Site("S", 60.0)
    cars = [Demand(EvseKey(f"CP-{n}", 1), active=True) for n in range(3)]
    assert {g.limit_a for g in allocate(site, cars).grants.values()} == {20.0}
    tapering = [cars[0], cars[1], Demand(EvseKey("CP-2", 1), active=True, cap_a=demand_cap(20.0, 8.0, 2.0))]
    limits = {str(k): g.limit_a for k, g in allocate(site, tapering).grants.items()}
    assert limits == {"CP-0/1": 25.0, "CP-1/1": 25.0, "CP-2/1": 10.0}


def test_a_limit_below_the_sum_of_minimums_pauses_the_lowest_priority_and_newest() -> None:
    site = Site("S", 15.0)
    cars = [
        Demand(EvseKey("OLD", 1), active=True, since=1.0),
        Demand(EvseKey("NEW", 1), active=True, since=2.0),
        Demand(EvseKey("VIP", 1), active=True, since=3.0, priority=2),
    ]
    allocation = allocate(site, cars)
    assert allocation.paused == (EvseKey("NEW", 1),)
    assert allocation.grants[EvseKey("VIP", 1)].limit_a == 9.0
    assert allocation.grants[EvseKey("OLD", 1)].limit_a == 6.0
    assert allocation.usage[SITE] == 15.0


def test_a_watt_site_counts_the_phases_each_car_charges_on() -> None:
    site = Site("S", 11_040.0, Unit.WATT, voltage_v=230.0)
    one_phase = Demand(EvseKey("A", 1), active=True, phases=1, max_a=16.0)
    three_phase = Demand(EvseKey("B", 1), active=True, phases=3, max_a=32.0)
    allocation: Allocation = allocate(site, [one_phase, three_phase])
    assert allocation.grants[one_phase.key].limit_a == 12.0
    assert allocation.grants[three_phase.key].limit_a == 12.0
    assert allocation.usage[SITE] == 230.0 * 12 + 230.0 * 3 * 12


def test_bad_input_is_refused_naming_the_field() -> None:
    for build, message in (
        (lambda: Site("S", -1.0), "limit"),
        (lambda: Demand(EvseKey("A", 1), active=True, min_a=10.0, max_a=6.0), "max_a"),
        (lambda: Demand(EvseKey("A", 1), active=True, phases=4), "phases"),
        (lambda: allocate(Site("S", 10.0), [Demand(EvseKey("A", 1), True, group_id="nope")]), "unknown group"),
        (lambda: allocate(Site("S", 10.0), [Demand(EvseKey("A", 1), True)] * 2), "listed twice"),
    ):
        try:
            build()
        except BadSite as error:
            assert message in str(error)
        else:
            raise AssertionError(f"accepted: {message}")


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_an_evse_out_of_service_is_paused_and_changes_nobody_else_s_share(
    case: tuple[Site, list[Demand]], data: st.DataObject
) -> None:
    site, found = case
    out = {d.key for d in found if d.active and data.draw(st.booleans())}
    marked = [dataclasses.replace(d, out_of_service=d.key in out) for d in found]
    allocation = allocate(site, marked)
    without = allocate(site, [d for d in found if d.key not in out])
    for key in out:
        assert allocation.grants[key].limit_a == 0.0 and allocation.grants[key].state is GrantState.PAUSED
    assert {key: grant for key, grant in allocation.grants.items() if key not in out} == dict(without.grants)


def test_an_evse_out_of_service_gives_its_share_to_the_others() -> None:
    a, b = EvseKey("A", 1), EvseKey("B", 1)
    site = Site("S", 32.0)
    sharing = allocate(site, [Demand(a, active=True), Demand(b, active=True)])
    assert (sharing.grants[a].limit_a, sharing.grants[b].limit_a) == (16.0, 16.0)
    faulted = allocate(site, [Demand(a, active=True, out_of_service=True), Demand(b, active=True)])
    assert (faulted.grants[a].limit_a, faulted.grants[b].limit_a) == (0.0, 32.0)
    assert faulted.paused == (a,) and faulted.usage[SITE] == 32.0
