"""Rebuilding the transaction read models from the log gives identical tables: project the whole events topic
(up to its end when the test starts) in a fresh consumer group into a scratch keyspace, dump every table,
truncate them, reset the group to the earliest offsets, replay, and compare the full table contents."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_consumer, make_producer
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from csms_transactions.projections.projector import TransactionsProjector
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
    consumer = make_consumer(infra.kafka_bootstrap, group, "rebuild-test", topics.TRANSACTIONS_EVENTS)
    await consumer.start()
    try:
        end = await scratch_keyspace.end_offsets(consumer)
        projector = TransactionsProjector(CassandraTransactionsRepository(session, keyspace))
        applied = await scratch_keyspace.replay(consumer, projector, end)
        first = await scratch_keyspace.dump(session, keyspace)
        repository = CassandraTransactionsRepository(session, keyspace)
        ours = await repository.transaction(sessions.v16, "1001")
        assert ours is not None and ours.energy_wh == 7500.0

        await scratch_keyspace.truncate(session, keyspace)
        assert all(rows == [] for rows in (await scratch_keyspace.dump(session, keyspace)).values())
        beginning = await consumer.beginning_offsets(list(end))
        await consumer.commit(beginning)
        for tp, offset in beginning.items():
            consumer.seek(tp, offset)
        assert await scratch_keyspace.replay(consumer, projector, end) == applied >= len(sessions.events)
        assert await scratch_keyspace.dump(session, keyspace) == first
    finally:
        await consumer.stop()
