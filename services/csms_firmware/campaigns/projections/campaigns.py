"""The campaigns read model: csms.firmware.campaigns.v1 mapped to CQL writes — every event into `campaign_events`
(one partition per campaign, keyed by (recorded_at, event_id): what a driver folds), the campaign list row in
`campaigns` (created, and `over` once aborted or completed), and what list/show read without folding: the
campaign's summary in `campaign_summaries` (its view without stations: status, counts per state, waves) and the
progress of each station an event changed in `campaign_stations`. `PROJECTION`: group
`firmware.projector.campaigns`.

The summary needs the campaign's state: `CampaignFolds` (the current-state step) keeps each campaign's fold in
memory and folds each batch onto it; it re-reads the campaign's events when its fold is not the one the summary was
written from (after a restart, or when another instance projected the campaign meanwhile: the summary records
how many events it folded). Folding is idempotent (each event id once), so a batch retried after a failed write
gives the same writes. Event rows carry USING TIMESTAMP = recorded_at; summary and station rows the campaign's
creation time plus the number of events folded, which grows with every event whatever the recorders' clocks, so
a late or repeated write never overwrites a newer state. `summary_writes` is also what CreateCampaign writes for
the Created event itself, so a campaign is readable as soon as its creation is answered."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

from csms.firmware.v1 import firmware_pb2
from csms_firmware.campaigns.domain.campaign import (
    ACTIVE,
    AttemptFailed,
    AttemptStarted,
    Campaign,
    Change,
    Created,
    Event,
    StationOffline,
    StationSucceeded,
    WaveStarted,
    apply,
    rebuild,
)
from csms_firmware.campaigns.domain.messages import from_message, view
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write, micros

CAMPAIGN_TABLES = ("campaign_events", "campaigns", "campaign_summaries", "campaign_stations")
BUCKET = 0
_EVENT = (
    "INSERT INTO {ks}.campaign_events (campaign_id, recorded_at, event_id, event) VALUES (?, ?, ?, ?) USING TIMESTAMP ?"
)
_CREATED = (
    "INSERT INTO {ks}.campaigns (bucket, campaign_id, name, created_at, over) VALUES (?, ?, ?, ?, false) "
    "USING TIMESTAMP ?"
)
_OVER = "UPDATE {ks}.campaigns USING TIMESTAMP ? SET over = true WHERE bucket = ? AND campaign_id = ?"
_SUMMARY = "INSERT INTO {ks}.campaign_summaries (campaign_id, events, summary) VALUES (?, ?, ?) USING TIMESTAMP ?"
_STATION = (
    "INSERT INTO {ks}.campaign_stations (campaign_id, station_id, state, attempts, wave, reason, version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def event_writes(event: firmware_pb2.CampaignEvent) -> list[Write]:
    if not event.event_id or not event.campaign_id:
        raise ValueError("campaign event without an event_id or campaign_id")
    at = to_datetime(event.recorded_at)
    blob = event.SerializeToString(deterministic=True)
    found = [Write(_EVENT, (event.campaign_id, at, event.event_id, blob, micros(at)))]
    which = event.WhichOneof("event")
    if which == "created":
        found.append(Write(_CREATED, (BUCKET, event.campaign_id, event.created.name, at, micros(at))))
    elif which in ("aborted", "completed"):
        found.append(Write(_OVER, (micros(at), BUCKET, event.campaign_id)))
    return found


def touched(change: Change) -> tuple[str, ...]:
    """The stations whose progress the change may alter."""
    match change:
        case Created(spec=spec):
            return spec.stations
        case WaveStarted(stations=stations):
            return stations
        case AttemptStarted() | StationOffline() | StationSucceeded() | AttemptFailed():
            return (change.station_id,)
    return ()


def summary_writes(campaign: Campaign, stations: Iterable[str]) -> list[Write]:
    """The campaign's summary row and the progress rows of `stations`, as of its fold."""
    at = micros(campaign.created_at or _EPOCH) + len(campaign.seen)
    summary = view(campaign, stations=False).SerializeToString(deterministic=True)
    found = [Write(_SUMMARY, (campaign.campaign_id, len(campaign.seen), summary, at))]
    for station in stations:
        p = campaign.stations[station]
        found.append(
            Write(
                _STATION,
                (campaign.campaign_id, station, p.state.value, p.attempts, p.wave, p.reason, p.version, at),
            )
        )
    return found


def _decoded(events: Sequence[firmware_pb2.CampaignEvent]) -> list[Event]:
    found = []
    for message in events:
        try:
            found.append(from_message(message))
        except ValueError:
            continue  # event_writes refuses it
    return found


def writes(events: Sequence[firmware_pb2.CampaignEvent], state: Mapping[str, Campaign]) -> list[Write]:
    found = [write for event in events for write in event_writes(event)]
    changed: dict[str, dict[str, None]] = {}
    for decoded in _decoded(events):
        changed.setdefault(decoded.campaign_id, {}).update(dict.fromkeys(touched(decoded.change)))
    for campaign_id, stations in changed.items():
        campaign = state.get(campaign_id)
        if campaign is not None:
            found += summary_writes(campaign, stations)
    return found


class FoldedCampaigns(Protocol):
    async def load(self, campaign_id: str) -> list[Event]:
        """Every event of the campaign in the read model, in its order."""

    async def folded(self, campaign_id: str) -> int | None:
        """How many events the campaign's summary was written from (None: no summary)."""


class CampaignFolds:
    """The projection's current-state step: the fold of each campaign of a batch, the batch included. Folds of
    campaigns that are over are not kept (nothing changes them any more)."""

    def __init__(self, read_model: FoldedCampaigns) -> None:
        self._read_model = read_model
        self._folds: dict[str, Campaign] = {}

    async def read(self, events: Sequence[firmware_pb2.CampaignEvent]) -> dict[str, Campaign]:
        batches: dict[str, list[Event]] = {}
        for decoded in _decoded(events):
            batches.setdefault(decoded.campaign_id, []).append(decoded)
        folds: dict[str, Campaign] = {}
        for campaign_id, batch in batches.items():
            campaign = self._folds.pop(campaign_id, None)
            if campaign is None or await self._read_model.folded(campaign_id) != len(campaign.seen):
                campaign = rebuild(await self._read_model.load(campaign_id))
            for decoded in batch:
                campaign = apply(campaign, decoded)
            if campaign is None:
                continue
            folds[campaign_id] = campaign
            if campaign.status in ACTIVE:
                self._folds[campaign_id] = campaign
        return folds

    def applied(self, events: Sequence[firmware_pb2.CampaignEvent], state: Mapping[str, Campaign]) -> None:
        return None


PROJECTION: Projection[firmware_pb2.CampaignEvent, Mapping[str, Campaign]] = Projection(
    name="firmware.projector.campaigns",
    event_types={FIRMWARE_CAMPAIGNS: firmware_pb2.CampaignEvent},
    keyspace=KEYSPACE,
    tables=CAMPAIGN_TABLES,
    writes=writes,
)
