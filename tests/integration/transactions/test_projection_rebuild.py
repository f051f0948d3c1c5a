"""Rebuilding the transaction read models from the log gives identical tables: rebuild the projection from the
whole events topic (up to its end when the test starts) in a fresh consumer group into a scratch keyspace, dump
every table, add a row the log does not hold, rebuild again in the same group up to the same end (the tables
are truncated and the group starts over), and compare the full table contents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.kafka import make_producer
from csms_kernel.projecting.rebuild import rebuild
from csms_kernel.projecting.writes import CassandraWriter
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from csms_transactions.projections.transactions import PROJECTION, from_event
from infra_fixtures import Infra
from kit import scratch_keyspace
from kit.builders.transaction_scenarios import charging_sessions


@pytest.fixture
async def keyspace(session: CassandraSession) -> AsyncIterator[str]:
    name = await scratch_keyspace.create_keyspace(session)
    yield name
    await scratch_keyspace.drop_keyspace(session, name)


async def test_a_rebuild_from_the_log_gives_identical_tables(
    infra: Infra, session: CassandraSession, keyspace: str
) -> None:
    sessions = await charging_sessions()
    producer = make_producer(infra.kafka_bootstrap, "transactions-rebuild-test")
    await producer.start()
    try:
        for event in sessions.events:
            await producer.send_and_wait(
                topics.TRANSACTIONS_EVENTS, event.SerializeToString(), key=event.station_id.encode()
            )
    finally:
        await producer.stop()

    group = f"transactions.projector.rebuild-test-{uuid.uuid4().hex[:8]}"
    first = await rebuild(
        PROJECTION, kafka_bootstrap=infra.kafka_bootstrap, session=session, group=group, keyspace=keyspace
    )
    assert first.replayed >= len(sessions.events)
    tables = await scratch_keyspace.dump(session, keyspace)
    ours = await CassandraTransactionsRepository(session, keyspace).transaction(sessions.v16, "1001")
    assert ours is not None and ours.energy_wh == 7500.0

    stray = transactions_pb2.TransactionEvent(
        station_id=f"NOT-IN-LOG-{uuid.uuid4().hex[:8]}",
        transaction_id="1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        occurred_at=timestamp(datetime(2026, 11, 21, tzinfo=UTC)),
        first_seen_at=timestamp(datetime(2026, 11, 21, tzinfo=UTC)),
        started=transactions_pb2.TransactionStarted(),
    )
    await CassandraWriter(session, keyspace).apply(from_event(stray))
    assert await scratch_keyspace.dump(session, keyspace) != tables

    again = await rebuild(
        PROJECTION,
        kafka_bootstrap=infra.kafka_bootstrap,
        session=session,
        group=group,
        keyspace=keyspace,
        until=first.end,
    )
    assert again == first
    assert await scratch_keyspace.dump(session, keyspace) == tables
