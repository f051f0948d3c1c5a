"""The composite schedule of a simulated station: stack levels, purposes, TxDefault vs Tx, validity, Absolute /
Recurring / Relative schedules, A vs W with phases and voltage, and the profiles a station refuses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from loadtest.simulator.composite import (
    CompositePeriod,
    Electrical,
    InvalidProfile,
    Kind,
    Period,
    Profile,
    Purpose,
    Schedule,
    Session,
    Unit,
    check,
    composite,
    limit_at,
)

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
GRID = Electrical(voltage=230.0, phases=3, max_current=32.0)


def profile(
    id: int,
    limit: float | list[tuple[int, float]],
    *,
    purpose: Purpose = Purpose.TX_DEFAULT,
    stack: int = 0,
    evse: int = 1,
    kind: Kind = Kind.ABSOLUTE,
    unit: Unit = Unit.A,
    start: datetime | None = T0,
    duration: int | None = None,
    phases: int | None = None,
    **more: object,
) -> Profile:
    periods = [(0, limit)] if isinstance(limit, int | float) else limit
    schedule = Schedule(unit, tuple(Period(s, v, phases) for s, v in periods), start, duration)
    return Profile(id, stack, purpose, kind, schedule, evse, T0, **more)  # type: ignore[arg-type]


def amps(profiles: list[Profile], at: datetime = T0, session: Session | None = None, evse: int = 1) -> float:
    return limit_at(profiles, evse, at, session, GRID).value(Unit.A, GRID)


def test_without_profiles_the_hardware_maximum_applies() -> None:
    assert amps([]) == 32.0
    assert limit_at([], 1, T0, None, GRID).watts == pytest.approx(32 * 230 * 3)


def test_the_highest_stack_level_wins_within_a_purpose_even_when_higher() -> None:
    assert amps([profile(1, 10, stack=0), profile(2, 20, stack=1)]) == 20.0
    assert amps([profile(1, 20, stack=0), profile(2, 10, stack=1)]) == 10.0


def test_an_ended_schedule_lets_the_lower_stack_level_through() -> None:
    profiles = [profile(1, 20, stack=0), profile(2, 6, stack=5, duration=600)]
    assert amps(profiles, T0 + timedelta(seconds=599)) == 6.0
    assert amps(profiles, T0 + timedelta(seconds=600)) == 20.0


def test_the_station_maximum_caps_every_evse_and_tx_profile() -> None:
    station_max = profile(1, 16, purpose=Purpose.STATION_MAX, evse=0, stack=0)
    tx = profile(2, 25, purpose=Purpose.TX, stack=9, transaction_id="T1")
    session = Session("T1", T0)
    assert amps([station_max, tx], session=session) == 16.0
    assert amps([station_max, profile(3, 10, purpose=Purpose.TX, transaction_id="T1")], session=session) == 10.0
    assert amps([station_max], evse=0) == 16.0


def test_a_tx_profile_overrides_tx_default_only_for_its_own_transaction() -> None:
    default = profile(1, 8, stack=3)
    tx = profile(2, 20, purpose=Purpose.TX, stack=0, transaction_id="T1")
    assert amps([default, tx], session=Session("T1", T0)) == 20.0
    assert amps([default, tx], session=Session("T2", T0)) == 8.0
    assert amps([default, tx]) == 8.0  # no session: TxProfiles never apply


def test_an_evse_tx_default_wins_a_tie_with_the_station_wide_one() -> None:
    station_wide = profile(1, 10, evse=0, stack=2)
    own = profile(2, 14, evse=1, stack=2)
    assert amps([station_wide, own]) == 14.0
    assert amps([own, station_wide]) == 14.0
    assert amps([station_wide, profile(3, 14, evse=1, stack=1)]) == 10.0
    assert amps([station_wide, own], evse=0) == 32.0  # EVSE 0's own limit: station-wide purposes only


def test_validity_bounds_a_profile() -> None:
    bounded = profile(1, 6, stack=1, valid_from=T0 + timedelta(hours=1), valid_to=T0 + timedelta(hours=2))
    profiles = [profile(2, 20), bounded]
    assert amps(profiles) == 20.0
    assert amps(profiles, T0 + timedelta(hours=1)) == 6.0
    assert amps(profiles, T0 + timedelta(hours=2)) == 20.0


def test_periods_follow_their_start_offsets() -> None:
    stepped = [profile(1, [(0, 6.0), (60, 12.0), (120, 24.0)])]
    assert [amps(stepped, T0 + timedelta(seconds=s)) for s in (0, 59, 60, 130)] == [6.0, 6.0, 12.0, 24.0]
    assert amps(stepped, T0 - timedelta(seconds=1)) == 32.0  # before its start


def test_a_relative_profile_starts_with_the_session() -> None:
    relative = [profile(1, [(0, 6.0), (300, 16.0)], kind=Kind.RELATIVE, start=None)]
    session = Session("T1", T0 + timedelta(minutes=10))
    assert amps(relative, T0 + timedelta(minutes=14), session) == 6.0
    assert amps(relative, T0 + timedelta(minutes=15), session) == 16.0


def test_a_daily_recurring_profile_repeats() -> None:
    evening = profile(
        1, [(0, 6.0), (3600, 32.0)], kind=Kind.RECURRING, recurrence_s=86_400, start=T0 - timedelta(days=3)
    )
    assert amps([evening], T0 + timedelta(minutes=30)) == 6.0
    assert amps([evening], T0 + timedelta(hours=2)) == 32.0
    assert amps([evening], T0 + timedelta(days=1, minutes=5)) == 6.0


def test_watts_and_amps_convert_with_voltage_and_phases() -> None:
    watts = profile(1, 11_040.0, unit=Unit.W)  # 16 A x 230 V x 3
    assert amps([watts]) == 16.0
    single_phase = profile(2, 16.0, phases=1)
    limit = limit_at([single_phase], 1, T0, None, GRID)
    assert limit.phases == 1
    assert limit.watts == pytest.approx(16 * 230)
    assert limit.amps(GRID) == pytest.approx(16.0)
    # a W limit is compared in W: 7.36 kW is below 16 A on three phases (11.04 kW)
    assert limit_at([profile(3, 16.0), profile(4, 7360.0, unit=Unit.W, stack=1)], 1, T0, None, GRID).watts == 7360.0
    us = Electrical(voltage=120.0, phases=1, max_current=48.0)
    assert limit_at([profile(5, 24.0)], 1, T0, None, us).watts == pytest.approx(24 * 120)


def test_the_composite_schedule_merges_purposes_over_time() -> None:
    profiles = [
        profile(1, 16, purpose=Purpose.STATION_MAX, evse=0),
        profile(2, [(0, 10.0), (600, 20.0)], stack=1),
        profile(3, 6, stack=2, valid_from=T0 + timedelta(seconds=900), valid_to=T0 + timedelta(seconds=1200)),
    ]
    assert composite(profiles, 1, T0, 1800, Unit.A, None, GRID) == [
        CompositePeriod(0, 10.0, 3),
        CompositePeriod(600, 16.0, 3),
        CompositePeriod(900, 6.0, 3),
        CompositePeriod(1200, 16.0, 3),
    ]
    in_watts = composite(profiles, 1, T0, 700, Unit.W, None, GRID)
    assert in_watts == [CompositePeriod(0, 6900.0, 3), CompositePeriod(600, 11040.0, 3)]


def test_a_composite_of_a_recurring_profile_repeats_in_the_window() -> None:
    hourly_block = profile(1, [(0, 8.0), (600, 32.0)], kind=Kind.RECURRING, recurrence_s=86_400, start=T0)
    periods = composite([hourly_block], 1, T0 + timedelta(hours=23), 2 * 3600, Unit.A, None, GRID)
    assert periods == [CompositePeriod(0, 32.0, 3), CompositePeriod(3600, 8.0, 3), CompositePeriod(4200, 32.0, 3)]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (profile(1, 10, purpose=Purpose.STATION_MAX, evse=1), "StationProfileOnEvse"),
        (profile(1, 10, purpose=Purpose.TX, evse=0), "TxProfileOnStation"),
        (profile(1, 10, evse=3), "UnknownEvse"),
        (profile(1, [(10, 5.0)]), "FirstPeriodNotAtZero"),
        (profile(1, [(0, 5.0), (0, 6.0)]), "PeriodsNotIncreasing"),
        (profile(1, -1.0), "InvalidPeriod"),
        (profile(1, 10, phases=4), "InvalidPeriod"),
        (profile(1, 10, kind=Kind.RECURRING), "RecurrenceMissing"),
        (profile(1, 10, valid_from=T0, valid_to=T0), "EmptyValidity"),
    ],
)
def test_profiles_a_station_refuses(bad: Profile, reason: str) -> None:
    with pytest.raises(InvalidProfile, match=reason):
        check(bad, evse_count=2)
