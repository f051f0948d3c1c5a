"""The pure campaign state machine: waves, canary, concurrency, window, deadline, retries, threshold halt,
pause/resume/abort, and the fold rebuilding the same state from the events (each once)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

import pytest

from csms.firmware.v1 import firmware_pb2
from csms_firmware.campaigns.domain.campaign import (
    Aborted,
    AttemptStarted,
    BadCampaign,
    Campaign,
    Created,
    Event,
    Outcome,
    Paused,
    Resumed,
    Settings,
    SettingsChanged,
    Spec,
    StationState,
    Status,
    Target,
    WaveStarted,
    Window,
    apply,
    attempt_key,
    control,
    event,
    plan,
    rebuild,
    started,
    with_settings,
)
from csms_firmware.campaigns.domain.messages import from_message, settings_of, to_message

T0 = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
OK = Outcome(succeeded=True, version="2.0")
BAD = Outcome(failed=True, reason="the station reported DownloadFailed")


def new(count: int, **settings: object) -> tuple[Campaign, list[Event]]:
    spec = Spec(
        "c1",
        tuple(f"S{i:03}" for i in range(count)),
        Target("2.0", location="http://x/fw"),
        with_settings(Settings(), **settings),
    )
    spec.check()
    created = event("c1", T0, Created(spec))
    campaign = apply(None, created)
    assert campaign is not None
    return campaign, [created]


def step(
    campaign: Campaign,
    log: list[Event],
    now: datetime,
    outcomes: dict[str, Outcome],
    offline: frozenset[str] = frozenset(),
) -> list[AttemptStarted]:
    """One driver tick: plan, then record every dispatched attempt (offline stations as such)."""
    decided = plan(campaign, now, outcomes)
    log += decided.events
    for attempt in decided.dispatch:
        log.append(started(campaign, now, attempt, offline=attempt.station_id in offline))
    return decided.dispatch


def state(campaign: Campaign, station: str) -> StationState:
    return campaign.stations[station].state


def status(campaign: Campaign) -> Status:
    return campaign.status


def updating(campaign: Campaign) -> list[str]:
    return campaign.in_state(StationState.UPDATING)


def test_canary_first_then_waves_after_the_previous_settles_and_the_interval() -> None:
    campaign, log = new(
        7,
        canary_size=1,
        wave_size=3,
        concurrency=10,
        wave_interval=timedelta(minutes=5),
        station_deadline=timedelta(hours=2),
    )
    assert step(campaign, log, T0, {}) == [AttemptStarted("S000", 1)]
    # canary in progress: no next wave however late
    assert step(campaign, log, T0 + timedelta(hours=1), {}) == []
    # canary succeeds at +1h (> interval since its start): wave 1 starts
    dispatched = step(campaign, log, T0 + timedelta(hours=1, seconds=1), {"S000": OK})
    assert [a.station_id for a in dispatched] == ["S001", "S002", "S003"]
    assert campaign.waves == [("S000",), ("S001", "S002", "S003")]
    later = T0 + timedelta(hours=1, seconds=2)
    step(campaign, log, later, {s: OK for s in ("S001", "S002", "S003")})
    # settled, but the interval since wave 1 started has not passed
    assert len(campaign.waves) == 2
    step(campaign, log, later + timedelta(minutes=5), {})
    assert campaign.waves[2] == ("S004", "S005", "S006")


def test_concurrency_limit_is_never_exceeded() -> None:
    rng = random.Random(7)
    campaign, log = new(120, canary_size=5, wave_size=40, concurrency=7, max_retries=2, failure_threshold=1.0)
    now = T0
    for _ in range(400):
        outcomes = {s: rng.choice([OK, BAD, Outcome(), Outcome()]) for s in updating(campaign)}
        step(campaign, log, now, outcomes, offline=frozenset(s for s in campaign.stations if rng.random() < 0.05))
        assert len(updating(campaign)) <= 7
        now += timedelta(seconds=10)
        if campaign.status == Status.COMPLETED:
            break
    assert status(campaign) == Status.COMPLETED
    assert campaign.counts()["succeeded"] + campaign.counts()["failed"] == 120


def test_a_failed_attempt_is_retried_with_a_new_key_until_retries_run_out() -> None:
    campaign, log = new(1, canary_size=1, max_retries=2, failure_threshold=1.0)
    keys = []
    for tick in range(3):
        [attempt] = step(campaign, log, T0 + timedelta(seconds=tick), {"S000": BAD} if tick else {})
        keys.append(attempt_key("c1", "S000", attempt.attempt))
    assert keys == ["campaign:c1:S000:1", "campaign:c1:S000:2", "campaign:c1:S000:3"]
    assert step(campaign, log, T0 + timedelta(seconds=9), {"S000": BAD}) == []
    progress = campaign.stations["S000"]
    assert (progress.state, progress.attempts, progress.reason) == (StationState.FAILED, 3, BAD.reason)
    assert status(campaign) == Status.COMPLETED


def test_a_station_silent_past_the_deadline_fails_its_attempt() -> None:
    campaign, log = new(1, station_deadline=timedelta(minutes=10), max_retries=0, failure_threshold=1.0)
    step(campaign, log, T0, {})
    step(campaign, log, T0 + timedelta(minutes=9, seconds=59), {})
    assert state(campaign, "S000") == StationState.UPDATING
    step(campaign, log, T0 + timedelta(minutes=10), {})
    assert state(campaign, "S000") == StationState.FAILED
    assert "deadline" in campaign.stations["S000"].reason


def test_the_wave_failure_rate_past_the_threshold_halts_and_raising_it_then_resume_continues() -> None:
    campaign, log = new(21, canary_size=1, wave_size=10, concurrency=10, max_retries=0, failure_threshold=0.1)
    step(campaign, log, T0, {})
    step(campaign, log, T0 + timedelta(seconds=1), {"S000": OK})
    outcomes = {s: (BAD if s in ("S001", "S002") else OK) for s in updating(campaign)}
    assert step(campaign, log, T0 + timedelta(seconds=2), outcomes) == []
    assert status(campaign) == Status.HALTED
    assert step(campaign, log, T0 + timedelta(seconds=3), {}) == []
    for change in (SettingsChanged(with_settings(campaign.settings, failure_threshold=0.3)), Resumed()):
        control(campaign, change)
        log.append(event("c1", T0 + timedelta(seconds=4), change, control_id=type(change).__name__))
        apply(campaign, log[-1])
    assert [a.station_id for a in step(campaign, log, T0 + timedelta(seconds=5), {})][:1] == ["S011"]
    assert status(campaign) == Status.RUNNING


def test_resume_without_raising_the_threshold_halts_again_only_on_new_failures() -> None:
    campaign, log = new(5, canary_size=4, concurrency=4, max_retries=0, failure_threshold=0.2)
    step(campaign, log, T0, {})
    step(campaign, log, T0 + timedelta(seconds=1), {"S000": BAD, "S001": BAD})
    assert status(campaign) == Status.HALTED
    apply(campaign, event("c1", T0, Resumed(), control_id="r1"))
    step(campaign, log, T0 + timedelta(seconds=2), {})
    assert status(campaign) == Status.RUNNING
    step(campaign, log, T0 + timedelta(seconds=3), {"S002": BAD})
    assert status(campaign) == Status.HALTED


def test_the_maintenance_window_gates_dispatch_but_not_outcomes() -> None:
    window = Window(time(1, 0), time(3, 0))
    campaign, log = new(2, canary_size=1, wave_size=1, window=window, failure_threshold=1.0)
    assert step(campaign, log, T0.replace(hour=4), {}) == []
    assert len(step(campaign, log, T0, {})) == 1
    step(campaign, log, T0.replace(hour=5), {"S000": OK})
    assert state(campaign, "S000") == StationState.SUCCEEDED
    assert campaign.waves == [("S000",)]
    assert Window(time(22, 0), time(2, 0)).contains(T0.replace(hour=1))
    assert not Window(time(22, 0), time(2, 0)).contains(T0.replace(hour=12))


def test_offline_stations_do_not_hold_the_wave_and_are_dispatched_again_with_the_same_attempt() -> None:
    campaign, log = new(3, canary_size=1, wave_size=2, offline_recheck=timedelta(seconds=30), failure_threshold=1.0)
    step(campaign, log, T0, {}, offline=frozenset({"S000"}))
    assert state(campaign, "S000") == StationState.OFFLINE
    dispatched = step(campaign, log, T0 + timedelta(seconds=1), {})
    assert [a.station_id for a in dispatched] == ["S001", "S002"]
    [again] = step(campaign, log, T0 + timedelta(seconds=31), {})
    assert (again.station_id, again.attempt) == ("S000", 1)
    assert state(campaign, "S000") == StationState.UPDATING


def test_pause_stops_dispatch_and_abort_ends_the_campaign() -> None:
    campaign, log = new(4, canary_size=1, wave_size=3)
    step(campaign, log, T0, {})
    control(campaign, Paused())
    apply(campaign, event("c1", T0, Paused(), control_id="p"))
    assert step(campaign, log, T0 + timedelta(seconds=1), {"S000": OK}) == []
    assert state(campaign, "S000") == StationState.SUCCEEDED
    assert len(campaign.waves) == 1
    with pytest.raises(BadCampaign, match="only a running campaign"):
        control(campaign, Paused())
    apply(campaign, event("c1", T0, Aborted(), control_id="a"))
    assert status(campaign) == Status.ABORTED
    assert plan(campaign, T0 + timedelta(hours=1), {}).dispatch == []
    with pytest.raises(BadCampaign, match="aborted"):
        control(campaign, Resumed())


def test_the_fold_rebuilds_the_same_state_and_ignores_repeated_events() -> None:
    campaign, log = new(30, canary_size=2, wave_size=10, concurrency=5, max_retries=1, failure_threshold=0.5)
    rng = random.Random(3)
    now = T0
    for _ in range(40):
        step(campaign, log, now, {s: rng.choice([OK, BAD, Outcome()]) for s in updating(campaign)})
        now += timedelta(seconds=5)
    doubled = rebuild([e for e in log for _ in (0, 1)])
    assert doubled is not None
    assert doubled.stations == campaign.stations
    assert (doubled.status, doubled.waves) == (campaign.status, campaign.waves)


def test_the_same_decision_recorded_twice_is_one_event() -> None:
    assert event("c1", T0, WaveStarted(0, ("a",))).event_id == event("c1", T0, WaveStarted(0, ("a",))).event_id
    assert event("c1", T0, AttemptStarted("a", 1)).event_id != event("c1", T0, AttemptStarted("a", 2)).event_id
    with pytest.raises(ValueError, match="control_id"):
        event("c1", T0, Paused())


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"wave_size": 0}, "wave_size"),
        ({"concurrency": 0}, "concurrency"),
        ({"failure_threshold": 1.5}, "failure_threshold"),
        ({"max_retries": -1}, "max_retries"),
        ({"station_deadline": timedelta(0)}, "station_deadline"),
        ({"window": Window(time(1), time(1))}, "window"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(changes: dict[str, object], message: str) -> None:
    with pytest.raises(BadCampaign, match=message):
        with_settings(Settings(), **changes)


def test_a_campaign_without_stations_or_with_two_targets_is_refused() -> None:
    with pytest.raises(BadCampaign, match="no station"):
        Spec("c", (), Target(location="u"), Settings()).check()
    with pytest.raises(BadCampaign, match="exactly one"):
        Spec("c", ("a",), Target(image_id="i", location="u"), Settings()).check()
    with pytest.raises(BadCampaign, match="twice"):
        Spec("c", ("a", "a"), Target(location="u"), Settings()).check()


def test_every_event_survives_its_message_and_bad_settings_in_a_message_are_refused() -> None:
    campaign, log = new(
        12, canary_size=2, wave_size=5, max_retries=1, failure_threshold=0.2, window=Window(time(22, 0), time(4, 0))
    )
    rng = random.Random(5)
    now = T0
    for _ in range(30):
        step(
            campaign,
            log,
            now,
            {s: rng.choice([OK, BAD, Outcome()]) for s in updating(campaign)},
            offline=frozenset({"S003"}),
        )
        now += timedelta(seconds=5)
    log += [
        event("c1", now, change, control_id=str(i))
        for i, change in enumerate(
            [Paused(), SettingsChanged(with_settings(Settings(), wave_size=3)), Resumed(), Aborted()]
        )
    ]
    assert [from_message(firmware_pb2.CampaignEvent.FromString(to_message(e).SerializeToString())) for e in log] == log
    with pytest.raises(BadCampaign, match=r"window\.start"):
        settings_of(firmware_pb2.CampaignSettings(window=firmware_pb2.CampaignWindow(start="25:00", end="01:00")))
