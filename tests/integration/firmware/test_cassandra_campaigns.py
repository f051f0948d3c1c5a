"""Campaigns in Cassandra and Kafka: events appended to csms.firmware.campaigns.v1 are acknowledged; the
projection's rows read back in order fold into the campaign (a redelivery stored once), the list knows which
campaigns are over; a campaign's lease is one instance's until it expires, renewable only by its holder. In a
keyspace of its own (the tables of schema.cql)."""

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
from csms_firmware.campaigns.projections.campaigns import PROJECTION
from csms_firmware.projections.tables import KEYSPACE
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.migrate import package_schemas, split_cql
from csms_kernel.projecting.writes import CassandraWriter
from infra_fixtures import Infra

pytestmark = pytest.mark.integration
T0 = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    name = f"csms_firmware_it_{uuid.uuid4().hex[:10]}"
    await session.execute(
        f"CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    (schema,) = package_schemas(["csms_firmware"])
    for statement in split_cql(schema.cql):
        await session.execute(statement.replace(f"{KEYSPACE}.", f"{name}."))
    yield name
    await session.execute(f"DROP KEYSPACE IF EXISTS {name}")


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
            await writer.apply(PROJECTION.writes([to_message(found)], None))
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
