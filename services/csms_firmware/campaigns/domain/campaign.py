"""A firmware campaign as a pure event-sourced state machine: the campaign's events, `apply` (the fold that
rebuilds its state from them, in order, each event once) and `plan` (the events a driver should record next, given
the state, the clock and what the stations' firmware histories show). Pure, no I/O.

Rollout: the targets in their given order, a canary wave of `canary_size`, then waves of `wave_size` started
`wave_interval` after the previous wave's start and only once that wave has settled (every station succeeded or
failed for good; stations offline when their turn came do not hold a wave back); within the optional daily UTC
maintenance window; never more than `concurrency` stations with an update in progress. A station whose attempt
fails (a failure status, a command rejected, failed or expired, the old version booted) or stays silent past
`station_deadline` is retried until it has had `1 + max_retries` attempts, then failed. The campaign halts by
itself when the stations failed for good in the current wave exceed `failure_threshold` of the wave; `resume`
(after raising the threshold with new settings, or not) continues; that wave halts it again only when more of
its stations fail. Paused, halted and aborted campaigns dispatch
nothing; a running campaign whose stations are all settled is completed (a halted one waits for resume or abort).

Exactly once: attempt n of a station is the firmware request keyed `campaign:<campaign id>:<station>:<n>`, so a
driver that records `attempt_started` again after a crash (or two drivers) hands device-model the same key, and
the station gets one UpdateFirmware per attempt. Every event's id is derived from what it records, so an event
recorded twice is folded once.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta

_NAMESPACE = uuid.UUID("5d0c3a8e-6f21-4b7a-9c1d-2e8f4a6b0c93")


class BadCampaign(ValueError):
    """A campaign or its settings cannot be run as given; the message names the field."""


class Status(enum.StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    HALTED = "halted"
    ABORTED = "aborted"
    COMPLETED = "completed"


ACTIVE = (Status.RUNNING, Status.PAUSED, Status.HALTED)
"""A campaign in one of these states has a driver (it may go on); aborted and completed ones are over."""


class StationState(enum.StrEnum):
    WAITING = "waiting"  # not in a started wave yet
    PENDING = "pending"  # its wave started: the next attempt waits for a free slot (or a retry)
    UPDATING = "updating"  # an attempt is in progress (counts against the concurrency limit)
    OFFLINE = "offline"  # its turn came while it was offline: dispatched again when a slot is free
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # every attempt failed


SETTLED = (StationState.SUCCEEDED, StationState.FAILED)


@dataclass(frozen=True)
class Window:
    """A daily UTC maintenance window [start, end); end before start wraps past midnight."""

    start: time
    end: time

    def contains(self, now: datetime) -> bool:
        at = now.time().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= at < self.end
        return at >= self.start or at < self.end


@dataclass(frozen=True)
class Settings:
    canary_size: int = 1
    wave_size: int = 10
    wave_interval: timedelta = timedelta(0)
    concurrency: int = 10
    window: Window | None = None
    station_deadline: timedelta = timedelta(minutes=30)
    max_retries: int = 1
    failure_threshold: float = 0.1
    offline_recheck: timedelta = timedelta(seconds=30)

    def check(self) -> None:
        if self.canary_size < 0:
            raise BadCampaign("canary_size must be 0 or more")
        if self.wave_size < 1:
            raise BadCampaign("wave_size must be at least 1")
        if self.concurrency < 1:
            raise BadCampaign("concurrency must be at least 1")
        if self.max_retries < 0:
            raise BadCampaign("max_retries must be 0 or more")
        if not 0.0 <= self.failure_threshold <= 1.0:
            raise BadCampaign("failure_threshold must be between 0 and 1")
        for name in ("wave_interval", "offline_recheck"):
            if getattr(self, name) < timedelta(0):
                raise BadCampaign(f"{name} must not be negative")
        if self.station_deadline <= timedelta(0):
            raise BadCampaign("station_deadline must be positive")
        if self.window is not None and self.window.start == self.window.end:
            raise BadCampaign("window: start and end must differ")


@dataclass(frozen=True)
class Target:
    """What the stations are asked to install: an uploaded image (image_id) or a location URL, and the firmware
    version a successful station boots with (empty: any version other than the one it had)."""

    version: str = ""
    image_id: str = ""
    location: str = ""
    force: bool = False  # the image goes to stations of another vendor/model too

    def check(self) -> None:
        if bool(self.image_id) == bool(self.location):
            raise BadCampaign("give exactly one of image_id and location")
        if self.force and not self.image_id:
            raise BadCampaign("force applies to an uploaded image (image_id) only")


@dataclass(frozen=True)
class Spec:
    campaign_id: str
    stations: tuple[str, ...]
    target: Target
    settings: Settings
    name: str = ""

    def check(self) -> None:
        if not self.campaign_id:
            raise BadCampaign("campaign_id is required")
        if not self.stations:
            raise BadCampaign("the campaign targets no station")
        if len(set(self.stations)) != len(self.stations):
            raise BadCampaign("a station is targeted twice")
        self.target.check()
        self.settings.check()


# ---- events (immutable, past tense) ----


@dataclass(frozen=True)
class Created:
    spec: Spec


@dataclass(frozen=True)
class WaveStarted:
    wave: int
    stations: tuple[str, ...]


@dataclass(frozen=True)
class AttemptStarted:
    station_id: str
    attempt: int


@dataclass(frozen=True)
class StationOffline:
    station_id: str
    attempt: int


@dataclass(frozen=True)
class StationSucceeded:
    station_id: str
    attempt: int
    version: str


@dataclass(frozen=True)
class AttemptFailed:
    station_id: str
    attempt: int
    reason: str
    final: bool


@dataclass(frozen=True)
class Halted:
    wave: int
    failed: int
    size: int


@dataclass(frozen=True)
class Paused:
    pass


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class Aborted:
    pass


@dataclass(frozen=True)
class SettingsChanged:
    settings: Settings


@dataclass(frozen=True)
class Completed:
    pass


Change = (
    Created
    | WaveStarted
    | AttemptStarted
    | StationOffline
    | StationSucceeded
    | AttemptFailed
    | Halted
    | Paused
    | Resumed
    | Aborted
    | SettingsChanged
    | Completed
)


@dataclass(frozen=True)
class Event:
    """One campaign event: `event_id` derived from what it records (`event()`), `at` the recorder's clock."""

    event_id: str
    campaign_id: str
    at: datetime
    change: Change


def event(campaign_id: str, at: datetime, change: Change, *, control_id: str = "") -> Event:
    """The event of `change`. Driver events are identified by what they record (the same decision twice is one
    event); operator controls (pause, resume, abort, settings) by the operator's request (`control_id`)."""
    match change:
        case Created():
            identity: tuple[str, ...] = ("created",)
        case WaveStarted(wave=wave):
            identity = ("wave", str(wave))
        case AttemptStarted(station_id=station, attempt=attempt):
            identity = ("attempt", station, str(attempt))
        case StationOffline(station_id=station, attempt=attempt):
            identity = ("offline", station, str(attempt), at.isoformat())
        case StationSucceeded(station_id=station, attempt=attempt):
            identity = ("succeeded", station, str(attempt))
        case AttemptFailed(station_id=station, attempt=attempt):
            identity = ("failed", station, str(attempt))
        case Halted(wave=wave, failed=failed):
            identity = ("halted", str(wave), str(failed))
        case Completed():
            identity = ("completed",)
        case _:
            if not control_id:
                raise ValueError(f"{type(change).__name__} needs the operator's control_id")
            identity = ("control", control_id)
    return Event(str(uuid.uuid5(_NAMESPACE, "\x00".join((campaign_id, *identity)))), campaign_id, at, change)


def attempt_key(campaign_id: str, station_id: str, attempt: int) -> str:
    """The firmware request key (and, prefixed, device-model's idempotency key) of one attempt."""
    return f"campaign:{campaign_id}:{station_id}:{attempt}"


# ---- state ----


@dataclass
class StationProgress:
    state: StationState = StationState.WAITING
    attempts: int = 0
    wave: int = -1
    since: datetime | None = None  # when the current attempt started, or when it was found offline
    reason: str = ""
    version: str = ""


@dataclass
class Campaign:
    spec: Spec
    settings: Settings
    status: Status = Status.RUNNING
    stations: dict[str, StationProgress] = field(default_factory=dict)
    waves: list[tuple[str, ...]] = field(default_factory=list)
    wave_started_at: datetime | None = None
    halted_wave: int = -1
    halted_failed: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    seen: set[str] = field(default_factory=set)

    @property
    def campaign_id(self) -> str:
        return self.spec.campaign_id

    def counts(self) -> dict[str, int]:
        found = {state.value: 0 for state in StationState}
        for progress in self.stations.values():
            found[progress.state.value] += 1
        return found

    def in_state(self, *states: StationState) -> list[str]:
        return [station for station, p in self.stations.items() if p.state in states]

    def wave_failures(self, wave: int) -> int:
        return sum(1 for s in self.waves[wave] if self.stations[s].state == StationState.FAILED)

    def wave_settled(self, wave: int) -> bool:
        return all(self.stations[s].state in (*SETTLED, StationState.OFFLINE) for s in self.waves[wave])


def rebuild(events: Iterable[Event]) -> Campaign | None:
    """The campaign folded from its events in order (None before `Created`)."""
    campaign: Campaign | None = None
    for found in events:
        campaign = apply(campaign, found)
    return campaign


def apply(campaign: Campaign | None, found: Event) -> Campaign | None:
    """`campaign` after the event (in place); an event already folded changes nothing."""
    change = found.change
    if campaign is None:
        if not isinstance(change, Created):
            return None
        spec = change.spec
        campaign = Campaign(spec=spec, settings=spec.settings, created_at=found.at)
        campaign.stations = {station: StationProgress() for station in spec.stations}
        campaign.seen.add(found.event_id)
        campaign.updated_at = found.at
        return campaign
    if found.event_id in campaign.seen:
        return campaign
    campaign.seen.add(found.event_id)
    campaign.updated_at = found.at
    _apply(campaign, found.at, change)
    return campaign


def _apply(campaign: Campaign, at: datetime, change: Change) -> None:
    over = campaign.status in (Status.ABORTED, Status.COMPLETED)
    match change:
        case WaveStarted(wave=wave, stations=stations):
            if wave != len(campaign.waves):
                return
            campaign.waves.append(stations)
            campaign.wave_started_at = at
            for station in stations:
                progress = campaign.stations[station]
                if progress.state == StationState.WAITING:
                    progress.state, progress.wave = StationState.PENDING, wave
        case AttemptStarted(station_id=station, attempt=attempt):
            progress = campaign.stations[station]
            if progress.state in SETTLED or attempt < progress.attempts:
                return
            progress.state, progress.attempts, progress.since = StationState.UPDATING, attempt, at
        case StationOffline(station_id=station, attempt=attempt):
            progress = campaign.stations[station]
            if progress.state in SETTLED or attempt < progress.attempts:
                return
            progress.state, progress.attempts, progress.since = StationState.OFFLINE, attempt, at
        case StationSucceeded(station_id=station, version=version):
            progress = campaign.stations[station]
            progress.state, progress.version, progress.reason = StationState.SUCCEEDED, version, ""
        case AttemptFailed(station_id=station, attempt=attempt, reason=reason, final=final):
            progress = campaign.stations[station]
            if progress.state in SETTLED or attempt < progress.attempts:
                return
            progress.attempts, progress.reason = attempt, reason
            progress.state = StationState.FAILED if final else StationState.PENDING
        case Halted(wave=wave, failed=failed):
            if campaign.status == Status.RUNNING:
                campaign.status, campaign.halted_wave, campaign.halted_failed = Status.HALTED, wave, failed
        case Paused():
            if campaign.status == Status.RUNNING:
                campaign.status = Status.PAUSED
        case Resumed():
            if campaign.status in (Status.PAUSED, Status.HALTED):
                campaign.status = Status.RUNNING
        case Aborted():
            if not over:
                campaign.status = Status.ABORTED
        case SettingsChanged(settings=settings):
            campaign.settings = settings
        case Completed():
            if not over:
                campaign.status = Status.COMPLETED


# ---- the driver's decisions ----


@dataclass(frozen=True)
class Outcome:
    """What a station's firmware history shows about its current attempt: `succeeded` (booted `version`),
    `failed` (with the reason), or neither (in progress)."""

    succeeded: bool = False
    failed: bool = False
    reason: str = ""
    version: str = ""


IN_PROGRESS = Outcome()


@dataclass(frozen=True)
class Plan:
    """The events to record now, and the attempts to hand over (each recorded as `AttemptStarted` once
    device-model has the command, or `StationOffline` when the station is not connected)."""

    events: list[Event]
    dispatch: list[AttemptStarted]


def plan(campaign: Campaign, now: datetime, outcomes: Mapping[str, Outcome]) -> Plan:
    """The driver's next step. `outcomes`: what the histories show for stations `UPDATING` (missing: in
    progress). The events are applied to `campaign` as they are decided."""
    events: list[Event] = []

    def record(change: Change) -> None:
        made = event(campaign.campaign_id, now, change)
        apply(campaign, made)
        events.append(made)

    if campaign.status in (Status.ABORTED, Status.COMPLETED):
        return Plan(events, [])
    settings = campaign.settings
    for station in campaign.in_state(StationState.UPDATING):
        progress = campaign.stations[station]
        outcome = outcomes.get(station, IN_PROGRESS)
        final = progress.attempts >= 1 + settings.max_retries
        if outcome.succeeded:
            record(StationSucceeded(station, progress.attempts, outcome.version))
        elif outcome.failed:
            record(AttemptFailed(station, progress.attempts, outcome.reason, final))
        elif progress.since is not None and now - progress.since >= settings.station_deadline:
            record(AttemptFailed(station, progress.attempts, "no success before the station deadline", final))
    if campaign.waves and campaign.status == Status.RUNNING:
        current = len(campaign.waves) - 1
        failed, size = campaign.wave_failures(current), len(campaign.waves[current])
        over_threshold = failed > settings.failure_threshold * size
        if over_threshold and (campaign.halted_wave != current or failed > campaign.halted_failed):
            record(Halted(current, failed, size))
    if campaign.status != Status.RUNNING:
        return Plan(events, [])
    if all(p.state in SETTLED for p in campaign.stations.values()):
        record(Completed())
        return Plan(events, [])
    if settings.window is not None and not settings.window.contains(now):
        return Plan(events, [])
    _next_wave(campaign, now, record)
    return Plan(events, _dispatch(campaign, now))


def _next_wave(campaign: Campaign, now: datetime, record: Callable[[Change], None]) -> None:
    settings = campaign.settings
    waves = campaign.waves
    if waves:
        if not campaign.wave_settled(len(waves) - 1):
            return
        started = campaign.wave_started_at
        if started is not None and now - started < settings.wave_interval:
            return
    waiting = campaign.in_state(StationState.WAITING)
    if not waiting:
        return
    size = settings.canary_size if not waves and settings.canary_size else settings.wave_size
    record(WaveStarted(len(waves), tuple(waiting[:size])))


def _dispatch(campaign: Campaign, now: datetime) -> list[AttemptStarted]:
    settings = campaign.settings
    free = settings.concurrency - len(campaign.in_state(StationState.UPDATING))
    chosen: list[AttemptStarted] = []
    for station, progress in campaign.stations.items():
        if len(chosen) >= free:
            break
        if progress.state == StationState.PENDING:
            chosen.append(AttemptStarted(station, progress.attempts + 1))
        elif progress.state == StationState.OFFLINE and (
            progress.since is None or now - progress.since >= settings.offline_recheck
        ):
            chosen.append(AttemptStarted(station, progress.attempts))
    return chosen


def started(campaign: Campaign, now: datetime, attempt: AttemptStarted, *, offline: bool) -> Event:
    """The event recording a dispatched attempt (device-model has the command, or the station is offline),
    applied to `campaign`."""
    change: Change = StationOffline(attempt.station_id, attempt.attempt) if offline else attempt
    made = event(campaign.campaign_id, now, change)
    apply(campaign, made)
    return made


def refused(campaign: Campaign, now: datetime, attempt: AttemptStarted, reason: str) -> Event:
    """The event recording an attempt device-model refused for good (the station is failed), applied."""
    made = event(campaign.campaign_id, now, AttemptFailed(attempt.station_id, attempt.attempt, reason, True))
    apply(campaign, made)
    return made


def control(campaign: Campaign, change: Change) -> None:
    """Refuses an operator control that cannot apply in the campaign's state (BadCampaign names why)."""
    status = campaign.status
    if status in (Status.ABORTED, Status.COMPLETED):
        raise BadCampaign(f"the campaign is {status.value}")
    match change:
        case Paused() if status != Status.RUNNING:
            raise BadCampaign(f"only a running campaign can be paused; it is {status.value}")
        case Resumed() if status == Status.RUNNING:
            raise BadCampaign("the campaign is already running")
        case SettingsChanged(settings=settings):
            settings.check()


def with_settings(settings: Settings, **changes: object) -> Settings:
    """`settings` with the given fields replaced, checked."""
    updated = replace(settings, **changes)  # type: ignore[arg-type]
    updated.check()
    return updated
