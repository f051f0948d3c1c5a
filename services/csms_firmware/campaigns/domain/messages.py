"""Campaign events and settings to and from their messages (csms.firmware.v1 CampaignEvent on
csms.firmware.campaigns.v1, key = campaign id), and the view the API shows. Pure, no I/O."""

from __future__ import annotations

from datetime import time, timedelta

from csms.firmware.v1 import firmware_pb2 as fw
from csms_firmware.campaigns.domain.campaign import (
    Aborted,
    AttemptFailed,
    AttemptStarted,
    BadCampaign,
    Campaign,
    Change,
    Completed,
    Created,
    Event,
    Halted,
    Paused,
    Resumed,
    Settings,
    SettingsChanged,
    Spec,
    StationOffline,
    StationSucceeded,
    Target,
    WaveStarted,
    Window,
)
from csms_kernel.infra.envelopes import timestamp, to_datetime


def _clock_time(text: str, name: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise BadCampaign(f"window.{name} must be HH:MM (UTC), got {text!r}") from None


def settings_of(message: fw.CampaignSettings) -> Settings:
    """The settings a message asks for (zero: the default), checked (BadCampaign names the field)."""
    default = Settings()
    window = None
    if message.HasField("window"):
        window = Window(_clock_time(message.window.start, "start"), _clock_time(message.window.end, "end"))
    settings = Settings(
        canary_size=message.canary_size or default.canary_size,
        wave_size=message.wave_size or default.wave_size,
        wave_interval=timedelta(seconds=message.wave_interval_s),
        concurrency=message.concurrency or default.concurrency,
        window=window,
        station_deadline=timedelta(seconds=message.station_deadline_s)
        if message.station_deadline_s
        else default.station_deadline,
        max_retries=message.max_retries,
        failure_threshold=message.failure_threshold,
        offline_recheck=timedelta(seconds=message.offline_recheck_s)
        if message.offline_recheck_s
        else default.offline_recheck,
    )
    settings.check()
    return settings


def settings_message(settings: Settings) -> fw.CampaignSettings:
    message = fw.CampaignSettings(
        canary_size=settings.canary_size,
        wave_size=settings.wave_size,
        wave_interval_s=int(settings.wave_interval.total_seconds()),
        concurrency=settings.concurrency,
        station_deadline_s=int(settings.station_deadline.total_seconds()),
        max_retries=settings.max_retries,
        failure_threshold=settings.failure_threshold,
        offline_recheck_s=int(settings.offline_recheck.total_seconds()),
    )
    if settings.window is not None:
        message.window.CopyFrom(
            fw.CampaignWindow(start=settings.window.start.strftime("%H:%M"), end=settings.window.end.strftime("%H:%M"))
        )
    return message


def target_message(target: Target) -> fw.CampaignTarget:
    return fw.CampaignTarget(
        version=target.version, image_id=target.image_id, location=target.location, force=target.force
    )


def to_message(event: Event) -> fw.CampaignEvent:
    message = fw.CampaignEvent(event_id=event.event_id, campaign_id=event.campaign_id, recorded_at=timestamp(event.at))
    match event.change:
        case Created(spec=spec):
            message.created.CopyFrom(
                fw.CampaignCreated(
                    name=spec.name,
                    stations=spec.stations,
                    target=target_message(spec.target),
                    settings=settings_message(spec.settings),
                )
            )
        case WaveStarted(wave=wave, stations=stations):
            message.wave_started.CopyFrom(fw.CampaignWaveStarted(wave=wave, stations=stations))
        case AttemptStarted(station_id=station, attempt=attempt):
            message.attempt_started.CopyFrom(fw.CampaignAttempt(station_id=station, attempt=attempt))
        case StationOffline(station_id=station, attempt=attempt):
            message.station_offline.CopyFrom(fw.CampaignAttempt(station_id=station, attempt=attempt))
        case StationSucceeded(station_id=station, attempt=attempt, version=version):
            message.station_succeeded.CopyFrom(fw.CampaignAttempt(station_id=station, attempt=attempt, version=version))
        case AttemptFailed(station_id=station, attempt=attempt, reason=reason, final=final):
            message.attempt_failed.CopyFrom(
                fw.CampaignAttempt(station_id=station, attempt=attempt, reason=reason, final=final)
            )
        case Halted(wave=wave, failed=failed, size=size):
            message.halted.CopyFrom(fw.CampaignHalted(wave=wave, failed=failed, size=size))
        case SettingsChanged(settings=settings):
            message.settings_changed.CopyFrom(settings_message(settings))
        case Paused():
            message.paused.SetInParent()
        case Resumed():
            message.resumed.SetInParent()
        case Aborted():
            message.aborted.SetInParent()
        case Completed():
            message.completed.SetInParent()
    return message


def from_message(message: fw.CampaignEvent) -> Event:
    """The event of a message; ValueError when it holds none."""
    which = message.WhichOneof("event")
    change: Change
    if which == "created":
        created = message.created
        target = created.target
        spec = Spec(
            message.campaign_id,
            tuple(created.stations),
            Target(target.version, target.image_id, target.location, target.force),
            settings_of(created.settings),
            created.name,
        )
        change = Created(spec)
    elif which == "wave_started":
        change = WaveStarted(message.wave_started.wave, tuple(message.wave_started.stations))
    elif which == "halted":
        halted = message.halted
        change = Halted(halted.wave, halted.failed, halted.size)
    elif which == "settings_changed":
        change = SettingsChanged(settings_of(message.settings_changed))
    elif which in ("attempt_started", "station_offline"):
        attempt = getattr(message, which)
        kind = AttemptStarted if which == "attempt_started" else StationOffline
        change = kind(attempt.station_id, attempt.attempt)
    elif which == "station_succeeded":
        done = message.station_succeeded
        change = StationSucceeded(done.station_id, done.attempt, done.version)
    elif which == "attempt_failed":
        failed = message.attempt_failed
        change = AttemptFailed(failed.station_id, failed.attempt, failed.reason, failed.final)
    elif which in _CONTROLS:
        change = _CONTROLS[which]()
    else:
        raise ValueError(f"campaign event {message.event_id!r} holds no event")
    return Event(message.event_id, message.campaign_id, to_datetime(message.recorded_at), change)


_CONTROLS: dict[str, type[Paused | Resumed | Aborted | Completed]] = {
    "paused": Paused,
    "resumed": Resumed,
    "aborted": Aborted,
    "completed": Completed,
}


def view(campaign: Campaign, *, stations: bool) -> fw.CampaignView:
    """What the API shows of a campaign (with every station's progress when `stations`)."""
    message = fw.CampaignView(
        campaign_id=campaign.campaign_id,
        name=campaign.spec.name,
        status=campaign.status.value,
        target=target_message(campaign.spec.target),
        settings=settings_message(campaign.settings),
        counts=campaign.counts(),
        waves=len(campaign.waves),
        halted_wave=campaign.halted_wave,
    )
    if campaign.created_at is not None:
        message.created_at.CopyFrom(timestamp(campaign.created_at))
    if campaign.updated_at is not None:
        message.updated_at.CopyFrom(timestamp(campaign.updated_at))
    if stations:
        message.stations.extend(
            fw.CampaignStation(
                station_id=station,
                state=progress.state.value,
                attempts=progress.attempts,
                wave=progress.wave,
                reason=progress.reason,
                version=progress.version,
            )
            for station, progress in campaign.stations.items()
        )
    return message
