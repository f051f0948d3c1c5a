"""Charging profiles of a simulated station and the composite schedule they make (pure: no I/O, no clock).

A profile limits one EVSE (or, on EVSE 0, the whole station) with one schedule: periods of a limit in A (per
phase) or W, with an optional number of phases. At a moment, within each purpose the profile of the highest
stack level that is valid (validFrom ≤ t < validTo) and whose schedule covers t (its duration not over) wins;
a profile whose schedule has ended lets the next lower stack level through. The EVSE's limit is the lowest of:
the station maximum (ChargingStationMaxProfile, 1.6 ChargePointMaxProfile, on EVSE 0), the hardware maximum,
and the session's limit — its TxProfile when one applies, else the TxDefaultProfile (one set on the EVSE itself
before one set on EVSE 0 at the same stack level). Limits in A and W are compared in W (voltage x phases).

Schedule starts: Absolute at startSchedule (else when the profile was installed), Relative at the session's
start (without a session: at the start of the window asked for), Recurring at the last repetition of
startSchedule (a day or a week apart) not after t, its duration capped at the repetition.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

STATION_EVSE = 0


class Purpose(enum.Enum):
    STATION_MAX = "ChargingStationMaxProfile"
    EXTERNAL = "ChargingStationExternalConstraints"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"


class Kind(enum.Enum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Unit(enum.Enum):
    A = "A"
    W = "W"


RECURRENCE_S = {"Daily": 86_400, "Weekly": 7 * 86_400}


class InvalidProfile(ValueError):
    """A profile the station rejects; the message is the reason (a short code for statusInfo)."""


@dataclass(frozen=True)
class Period:
    start: int  # seconds from the schedule's start
    limit: float
    phases: int | None = None


@dataclass(frozen=True)
class Schedule:
    unit: Unit
    periods: tuple[Period, ...]
    start: datetime | None = None
    duration: int | None = None
    min_rate: float | None = None


@dataclass(frozen=True)
class Profile:
    id: int
    stack_level: int
    purpose: Purpose
    kind: Kind
    schedule: Schedule
    evse_id: int
    installed_at: datetime
    recurrence_s: int | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None

    def valid(self, at: datetime) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True)
class Session:
    transaction_id: str
    started: datetime


@dataclass(frozen=True)
class Electrical:
    """An EVSE's supply: nominal voltage (phase to neutral), phases wired, hardware maximum current per phase."""

    voltage: float = 230.0
    phases: int = 3
    max_current: float = 32.0

    def watts(self, amps: float, phases: int) -> float:
        return amps * self.voltage * phases

    def amps(self, watts: float, phases: int) -> float:
        return watts / (self.voltage * phases)


@dataclass(frozen=True)
class Limit:
    """What an EVSE may draw at a moment: the power, and the current per phase on `phases` phases."""

    watts: float
    phases: int

    def amps(self, electrical: Electrical) -> float:
        return electrical.amps(self.watts, self.phases)

    def value(self, unit: Unit, electrical: Electrical) -> float:
        return round(self.watts if unit is Unit.W else self.amps(electrical), 1)


@dataclass(frozen=True)
class CompositePeriod:
    start: int
    limit: float
    phases: int


def check(profile: Profile, evse_count: int) -> None:
    """Raises `InvalidProfile` for a profile no station accepts (the purpose/EVSE rules and a sane schedule)."""
    if not 0 <= profile.evse_id <= evse_count:
        raise InvalidProfile("UnknownEvse")
    if profile.purpose in (Purpose.STATION_MAX, Purpose.EXTERNAL) and profile.evse_id != STATION_EVSE:
        raise InvalidProfile("StationProfileOnEvse")
    if profile.purpose is Purpose.TX and profile.evse_id == STATION_EVSE:
        raise InvalidProfile("TxProfileOnStation")
    if profile.kind is Kind.RECURRING and (profile.recurrence_s is None or profile.schedule.start is None):
        raise InvalidProfile("RecurrenceMissing")
    periods = profile.schedule.periods
    if not periods or periods[0].start != 0:
        raise InvalidProfile("FirstPeriodNotAtZero")
    if any(later.start <= earlier.start for earlier, later in pairwise(periods)):
        raise InvalidProfile("PeriodsNotIncreasing")
    if any(period.limit < 0 or (period.phases is not None and not 1 <= period.phases <= 3) for period in periods):
        raise InvalidProfile("InvalidPeriod")
    if profile.schedule.duration is not None and profile.schedule.duration < 0:
        raise InvalidProfile("NegativeDuration")
    if profile.valid_from and profile.valid_to and profile.valid_to <= profile.valid_from:
        raise InvalidProfile("EmptyValidity")


def _schedule_start(profile: Profile, at: datetime, session: Session | None, window_start: datetime) -> datetime:
    schedule = profile.schedule
    if profile.kind is Kind.RELATIVE:
        return session.started if session is not None else window_start
    start = schedule.start or profile.installed_at
    if profile.kind is Kind.RECURRING and profile.recurrence_s and at >= start:
        repetitions = int((at - start).total_seconds() // profile.recurrence_s)
        start += timedelta(seconds=repetitions * profile.recurrence_s)
    return start


def _duration(profile: Profile) -> int | None:
    duration = profile.schedule.duration
    if profile.kind is Kind.RECURRING and profile.recurrence_s:
        return profile.recurrence_s if duration is None else min(duration, profile.recurrence_s)
    return duration


def _period_at(profile: Profile, at: datetime, session: Session | None, window_start: datetime) -> Period | None:
    """The period of `profile` in force at `at`, or None when its schedule does not cover `at`."""
    if not profile.valid(at):
        return None
    offset = (at - _schedule_start(profile, at, session, window_start)).total_seconds()
    duration = _duration(profile)
    if offset < 0 or (duration is not None and offset >= duration):
        return None
    current = None
    for period in profile.schedule.periods:
        if period.start > offset:
            break
        current = period
    return current


def _winner(
    profiles: Iterable[Profile], at: datetime, session: Session | None, window_start: datetime
) -> tuple[Profile, Period] | None:
    """The applying profile (and its period) of the highest stack level among `profiles` (earlier ones win a
    tie: the caller orders them)."""
    best: tuple[Profile, Period] | None = None
    for profile in profiles:
        period = _period_at(profile, at, session, window_start)
        if period is not None and (best is None or profile.stack_level > best[0].stack_level):
            best = (profile, period)
    return best


def _as_limit(profile: Profile, period: Period, electrical: Electrical) -> Limit:
    phases = min(period.phases or electrical.phases, electrical.phases)
    if profile.schedule.unit is Unit.W:
        return Limit(period.limit, phases)
    return Limit(electrical.watts(period.limit, phases), phases)


def _applies_to(profile: Profile, session: Session | None) -> bool:
    if profile.purpose is not Purpose.TX:
        return True
    return session is not None and profile.transaction_id in (None, session.transaction_id)


def limit_at(
    profiles: Iterable[Profile],
    evse_id: int,
    at: datetime,
    session: Session | None = None,
    electrical: Electrical | None = None,
    window_start: datetime | None = None,
) -> Limit:
    """The limit of EVSE `evse_id` at `at` (EVSE 0: the station's own limit, its station-wide profiles only)."""
    electrical = electrical or Electrical()
    window_start = window_start or at
    hardware = Limit(electrical.watts(electrical.max_current, electrical.phases), electrical.phases)
    limits = [hardware]
    by_purpose: dict[Purpose, list[Profile]] = {purpose: [] for purpose in Purpose}
    for profile in profiles:
        if profile.evse_id in (evse_id, STATION_EVSE) and _applies_to(profile, session):
            by_purpose[profile.purpose].append(profile)
    purposes = [Purpose.STATION_MAX, Purpose.EXTERNAL]
    if evse_id != STATION_EVSE:
        tx = _winner(by_purpose[Purpose.TX], at, session, window_start)
        if tx is not None:
            limits.append(_as_limit(*tx, electrical))
        else:
            purposes.append(Purpose.TX_DEFAULT)
            by_purpose[Purpose.TX_DEFAULT].sort(key=lambda profile: profile.evse_id == STATION_EVSE)
    for purpose in purposes:
        found = _winner(by_purpose[purpose], at, session, window_start)
        if found is not None:
            limits.append(_as_limit(*found, electrical))
    return min(limits, key=lambda limit: limit.watts)


def _breakpoints(
    profiles: Iterable[Profile], start: datetime, end: datetime, session: Session | None
) -> list[datetime]:
    """Every moment in [start, end) at which a limit may change."""
    moments = {start}
    for profile in profiles:
        moments.update(moment for moment in (profile.valid_from, profile.valid_to) if moment is not None)
        if profile.kind is Kind.RECURRING and profile.recurrence_s:
            first = _schedule_start(profile, start, session, start)
            starts = []
            at = first
            while at < end:
                starts.append(at)
                at += timedelta(seconds=profile.recurrence_s)
        else:
            starts = [_schedule_start(profile, start, session, start)]
        duration = _duration(profile)
        for schedule_start in starts:
            moments.update(schedule_start + timedelta(seconds=period.start) for period in profile.schedule.periods)
            if duration is not None:
                moments.add(schedule_start + timedelta(seconds=duration))
    return sorted(moment for moment in moments if start <= moment < end)


def composite(
    profiles: Iterable[Profile],
    evse_id: int,
    start: datetime,
    duration: int,
    unit: Unit,
    session: Session | None = None,
    electrical: Electrical | None = None,
) -> list[CompositePeriod]:
    """The composite schedule of EVSE `evse_id` from `start` for `duration` s, in `unit`: consecutive periods
    (start offsets in s) of equal limit merged; the hardware maximum where no profile limits."""
    profiles = list(profiles)
    electrical = electrical or Electrical()
    end = start + timedelta(seconds=duration)
    result: list[CompositePeriod] = []
    for moment in _breakpoints(profiles, start, end, session):
        limit = limit_at(profiles, evse_id, moment, session, electrical, window_start=start)
        period = CompositePeriod(int((moment - start).total_seconds()), limit.value(unit, electrical), limit.phases)
        if not result or (result[-1].limit, result[-1].phases) != (period.limit, period.phases):
            result.append(period)
    return result
