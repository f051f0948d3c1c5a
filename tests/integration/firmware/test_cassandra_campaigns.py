"""Campaigns in Cassandra and Kafka: events appended to csms.firmware.campaigns.v1 are acknowledged; the
projection's rows read back in order fold into the campaign (a redelivery stored once), the list knows which
campaigns are over; a new campaign's read model written at creation reads back at once, the projector's summary
and station rows (from its cached fold) then win by their write timestamps, and stations page in id order; a
campaign's lease is one instance's until it expires, renewable only by its holder. In a keyspace of its own (the
tables of schema.cql)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from csms_firmware.campaigns.adapters.campaign_log import KafkaCampaignLog
from csms_firmware.campaigns.adapters.leases import CassandraCampaignLeases
from csms_firmware.campaigns.domain.campaign import (
    Aborted,
    AttemptStarted,
    Created,
    Settings,
    Spec,
    Status,
    Target,
    WaveStarted,
    event,
    rebuild,
)
from csms_firmware.campaigns.domain.messages import to_message
from csms_firmware.campaigns.projections.campaigns import PROJECTION, CampaignFolds
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.projecting.writes import CassandraWriter
from infra_fixtures import Infra
from kit import scratch_keyspace

pytestmark = pytest.mark.integration
T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    async with scratch_keyspace.service_keyspace(session, "csms_firmware", KEYSPACE) as name:
        yield name


async def test_campaign_events_round_trip_and_fold(session: CassandraSession, keyspace: str, infra: Infra) -> None:
    producer = make_producer(infra.kafka_bootstrap, "it-campaigns")
    await producer.start()
    try:
        log = KafkaCampaignLog(producer, session, keyspace)
        spec = Spec("c-it", ("A", "B"), Target("2.0", location="http://fw/2.0"), Settings(canary_size=1))
        events = [
            event("c-it", T0, Created(spec)),
            event("c-it", T0 + timedelta(seconds=1), WaveStarted(0, ("A",))),
            event("c-it", T0 + timedelta(seconds=2), AttemptStarted("A", 1)),
        ]
        await log.append(events)
        other = event("c-done", T0, Created(Spec("c-done", ("A",), Target(location="http://x"), Settings())))
        done = event("c-done", T0 + timedelta(seconds=1), Aborted(), control_id="x")
        writer = CassandraWriter(session, keyspace)
        for found in [*events, *events, other, done]:
            await writer.apply(PROJECTION.writes([to_message(found)], {}))
        assert await log.load("c-it") == events
        assert await log.load("c-it", T0 + timedelta(seconds=1)) == events[1:]
        campaign = rebuild(await log.load("c-it"))
        assert campaign is not None and campaign.stations["A"].attempts == 1
        assert await log.active() == ["c-it"]
        assert sorted(await log.listed()) == [("c-done", True), ("c-it", False)]
        aborted = rebuild(await log.load("c-done"))
        assert aborted is not None and aborted.status == Status.ABORTED
    finally:
        await producer.stop()


async def test_a_lease_is_one_owner_s_until_it_expires(session: CassandraSession, keyspace: str) -> None:
    leases = CassandraCampaignLeases(session, keyspace)
    campaign = f"c-{uuid.uuid4().hex[:8]}"
    assert await leases.hold(campaign, "firmware-1", 3)
    assert not await leases.hold(campaign, "firmware-2", 3)
    assert await leases.hold(campaign, "firmware-1", 3)  # renewed
    await asyncio.sleep(3.5)
    assert await leases.hold(campaign, "firmware-2", 3)
    assert not await leases.hold(campaign, "firmware-1", 3)


async def test_a_created_campaign_reads_back_at_once_then_as_projected(
    session: CassandraSession, keyspace: str
) -> None:
    log = KafkaCampaignLog(make_producer("127.0.0.1:1", "unused"), session, keyspace)
    stations = tuple(f"S{i:02}" for i in range(7))
    created = event("c-read", T0, Created(Spec("c-read", stations, Target("2.0", location="http://x"), Settings())))
    assert await log.summary("c-read") is None
    await log.make_readable(created)
    summary = await log.summary("c-read")
    assert summary is not None and (summary.status, summary.counts["waiting"]) == ("running", 7)
    assert [c.campaign_id for c in await log.summaries()].count("c-read") == 1
    # The projector folds the Created event again (the same rows), then a wave and an attempt.
    folds = CampaignFolds(log)
    writer = CassandraWriter(session, keyspace)
    later = [
        event("c-read", T0 + timedelta(seconds=1), WaveStarted(0, ("S00", "S01"))),
        event("c-read", T0 + timedelta(seconds=2), AttemptStarted("S01", 1)),
    ]
    for batch in ([created], later):
        messages = [to_message(e) for e in batch]
        await writer.apply(PROJECTION.writes(messages, await folds.read(messages)))
    # A late repeat of the creation's writes never brings the older state back.
    await log.make_readable(created)
    summary = await log.summary("c-read")
    assert summary is not None and dict(summary.counts) == {
        "waiting": 5,
        "pending": 1,
        "updating": 1,
        "offline": 0,
        "succeeded": 0,
        "failed": 0,
    }
    assert await log.folded("c-read") == 3
    page, more = await log.stations("c-read", 4, "")
    assert [(s.station_id, s.state) for s in page] == [
        ("S00", "pending"),
        ("S01", "updating"),
        ("S02", "waiting"),
        ("S03", "waiting"),
    ]
    assert more
    rest, more = await log.stations("c-read", 4, page[-1].station_id)
    assert [s.station_id for s in rest] == ["S04", "S05", "S06"] and not more
