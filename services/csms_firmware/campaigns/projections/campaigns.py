"""The campaigns read model: pure mapping of csms.firmware.campaigns.v1 to CQL writes — every event into
`campaign_events` (one partition per campaign, keyed by (recorded_at, event_id), folded when read), and the
campaign list row in `campaigns` (created, and `over` once aborted or completed). Every write carries USING
TIMESTAMP = recorded_at; a redelivered event rewrites the same rows. `PROJECTION`: group
`firmware.projector.campaigns`."""

from __future__ import annotations

from collections.abc import Sequence

from csms.firmware.v1 import firmware_pb2
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.envelopes import to_datetime
from csms_kernel.infra.topics import FIRMWARE_CAMPAIGNS
from csms_kernel.projecting.projection import Projection
from csms_kernel.projecting.writes import Write, micros

CAMPAIGN_TABLES = ("campaign_events", "campaigns")
BUCKET = 0
_EVENT = (
    "INSERT INTO {ks}.campaign_events (campaign_id, recorded_at, event_id, event) VALUES (?, ?, ?, ?) USING TIMESTAMP ?"
)
_CREATED = (
    "INSERT INTO {ks}.campaigns (bucket, campaign_id, name, created_at, over) VALUES (?, ?, ?, ?, false) "
    "USING TIMESTAMP ?"
)
_OVER = "UPDATE {ks}.campaigns USING TIMESTAMP ? SET over = true WHERE bucket = ? AND campaign_id = ?"


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


def writes(events: Sequence[firmware_pb2.CampaignEvent], state: None) -> list[Write]:
    return [write for event in events for write in event_writes(event)]


PROJECTION: Projection[firmware_pb2.CampaignEvent, None] = Projection(
    name="firmware.projector.campaigns",
    event_types={FIRMWARE_CAMPAIGNS: firmware_pb2.CampaignEvent},
    keyspace=KEYSPACE,
    tables=CAMPAIGN_TABLES,
    writes=writes,
)
