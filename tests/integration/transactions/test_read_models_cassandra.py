"""The transaction read models on the real Cassandra: one model for every version, any delivery order, batching
and duplicates converge to the same rows, few requests, listings page by key (scratch keyspaces,
dropped afterwards)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from csms.envelope.v1 import envelope_pb2
from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from csms_transactions.ports import TransactionQuery
from csms_transactions.projections.tables import DAYS_BUCKET, shard_of
from csms_transactions.projections.transactions import from_event
from integration.transactions.counting import CountingSession
from kit import scratch_keyspace
from kit.builders.transaction_scenarios import Sessions, charging_sessions

ACTIVE = transactions_pb2.TRANSACTION_STATE_ACTIVE
ENDED = transactions_pb2.TRANSACTION_STATE_ENDED


@pytest.fixture(scope="module")
async def sessions() -> Sessions:
    return await charging_sessions()


@pytest.fixture(scope="module")
async def keyspace(session: CassandraSession, sessions: Sessions) -> AsyncIterator[str]:
    """The sessions projected in log order (creating tables is slow: one keyspace for the module)."""
    name = await scratch_keyspace.create_keyspace(session)
    await project(session, name, sessions.events)
    yield name
    await scratch_keyspace.drop_keyspace(session, name)


async def project(
    session: CassandraSession, keyspace: str, events: list[transactions_pb2.TransactionEvent], batch: int = 1
) -> CassandraTransactionsRepository:
    """Applies the writes of `batch` events at a time, as the projector does with a batch of records."""
    writer = CassandraWriter(session, keyspace)
    for start in range(0, len(events), batch):
        await writer.apply([write for event in events[start : start + batch] for write in from_event(event)])
    return CassandraTransactionsRepository(session, keyspace)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 21, hour, minute, tzinfo=UTC)


async def test_one_transaction_model_for_every_version(
    session: CassandraSession, keyspace: str, sessions: Sessions
) -> None:
    repository = CassandraTransactionsRepository(session, keyspace)
    v16 = await repository.transaction(sessions.v16, "1001")
    assert v16 == transactions_pb2.Transaction(
        station_id=sessions.v16,
        transaction_id="1001",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        evse_id=1,
        connector_id=1,
        id_token=transactions_pb2.IdToken(id_token=sessions.token),
        authorization_status="Accepted",
        started_at=timestamp(at(10)),
        ended_at=timestamp(at(11)),
        meter_start_wh=1000.0,
        meter_stop_wh=8500.0,
        energy_wh=7500.0,
        stop_reason="Local",
        state=ENDED,
        csms_transaction_id=1001,
        updated_at=timestamp(at(11)),
        first_seen_at=timestamp(at(10)),
    )
    v201 = await repository.transaction(sessions.v201, f"tx-{sessions.v201.rsplit('-', 1)[1]}")
    assert v201 is not None
    assert (v201.state, v201.meter_start_wh, v201.meter_stop_wh, v201.energy_wh) == (ENDED, 1000.0, 9250.0, 8250.0)
    assert (v201.evse_id, v201.connector_id, v201.charging_state, v201.stop_reason) == (2, 1, "Idle", "EVDisconnected")
    assert v201.id_token == transactions_pb2.IdToken(id_token=sessions.token, type="ISO14443")
    assert (v201.last_seq_no, v201.station_transaction_id, v201.csms_transaction_id) == (2, v201.transaction_id, 0)
    v21 = await repository.transaction(sessions.v21, f"tx21-{sessions.v21.rsplit('-', 1)[1]}")
    assert v21 is not None
    assert (v21.state, v21.meter_start_wh, v21.energy_wh) == (ACTIVE, 500.0, 1200.0)
    assert not v21.HasField("meter_stop_wh")
    assert v21.id_token.id_token == f"{sessions.token}-B" and v21.authorization_status == "Accepted"
    orphan = await repository.transaction(sessions.v16, "4242")
    assert orphan is not None and orphan.unknown_start and orphan.state == ENDED
    assert not orphan.HasField("started_at") and not orphan.HasField("energy_wh")
    for station, transaction in (
        (sessions.v16, v16),
        (sessions.v16, orphan),
        (sessions.v201, v201),
        (sessions.v21, v21),
    ):
        assert await repository.stations_with(transaction.transaction_id) == [station]


async def test_samples_of_a_transaction_in_time_order(
    session: CassandraSession, keyspace: str, sessions: Sessions
) -> None:
    repository = CassandraTransactionsRepository(session, keyspace)
    samples = await repository.samples(sessions.v16, "1001")
    assert [(s.sampled_at.ToDatetime(UTC), s.measurand, s.value, s.unit) for s in samples] == [
        (at(10, 15), "Energy.Active.Import.Register", 2250.0, "Wh"),
        (at(10, 30), "Energy.Active.Import.Register", 4000.0, "Wh"),
        (at(10, 30), "Voltage", 230.0, "Wh"),
        (at(11), "Energy.Active.Import.Register", 8500.0, "Wh"),
    ]
    assert samples[0].raw_value == "2.25" and samples[0].raw_unit == "kWh"


async def test_any_delivery_order_and_batching_with_duplicates_gives_the_same_tables(
    session: CassandraSession, keyspace: str, sessions: Sessions
) -> None:
    shuffled = await scratch_keyspace.create_keyspace(session)
    try:
        events = sessions.events * 2
        random.Random(7).shuffle(events)
        await project(session, shuffled, events, batch=5)
        assert await scratch_keyspace.dump(session, shuffled) == await scratch_keyspace.dump(session, keyspace)
    finally:
        await scratch_keyspace.drop_keyspace(session, shuffled)


async def test_writes_go_in_one_request_per_partition_and_one_for_the_index_entries(
    session: CassandraSession, keyspace: str, sessions: Sessions
) -> None:
    """Projected again into the same tables, which stay as they were (the projection is idempotent)."""
    before = await scratch_keyspace.dump(session, keyspace)
    counting = CountingSession(session)
    writer = CassandraWriter(counting, keyspace)
    v201 = [event for event in sessions.events if event.station_id == sessions.v201]
    started, updated, _ = v201
    await writer.apply(from_event(updated))
    # The transaction's row and its samples: one partition.
    assert (counting.requests, counting.statements) == (1, len(set(from_event(updated))))
    counting.reset()
    await writer.apply(from_event(started))
    # The transaction's partition; by id, by station, by day, the days, by token, active (one entry each). The
    # writer groups by partition key bytes, so when the station's active shard equals the days bucket (both the
    # int 0, one station in ACTIVE_SHARDS) those two entries share a token, replicas and a request of their own.
    shared_token = shard_of(sessions.v201) == DAYS_BUCKET
    assert (counting.requests, counting.statements) == (3 if shared_token else 2, len(set(from_event(started))))
    counting.reset()
    await writer.apply([write for event in v201 for write in from_event(event)])
    # The transaction; the active entry (added and removed); the other index entries.
    assert counting.requests == 3
    assert await scratch_keyspace.dump(session, keyspace) == before


async def all_pages(repository: CassandraTransactionsRepository, query: TransactionQuery) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    token = ""
    while True:
        page, token = await repository.transactions(query, 1, token)
        found += [(t.station_id, t.transaction_id) for t in page]
        if not token:
            return found


async def test_listings_page_by_key(session: CassandraSession, keyspace: str, sessions: Sessions) -> None:
    repository = CassandraTransactionsRepository(session, keyspace)
    tx201 = f"tx-{sessions.v201.rsplit('-', 1)[1]}"
    tx21 = f"tx21-{sessions.v21.rsplit('-', 1)[1]}"
    everything = [(sessions.v21, tx21), (sessions.v201, tx201), (sessions.v16, "1001"), (sessions.v16, "4242")]
    assert await all_pages(repository, TransactionQuery()) == everything
    assert await all_pages(repository, TransactionQuery(station_id=sessions.v16)) == everything[2:]
    assert await all_pages(repository, TransactionQuery(id_token=sessions.token.lower())) == everything[1:3]
    assert await all_pages(repository, TransactionQuery(active_only=True)) == everything[:1]
    window = TransactionQuery(since=at(10), until=at(14))
    assert await all_pages(repository, window) == everything[1:3]
    assert await all_pages(repository, TransactionQuery(station_id=sessions.v16, until=at(10))) == everything[3:]
    page, token = await repository.transactions(TransactionQuery(), 3, "")
    assert [t.transaction_id for t in page] == [tx21, tx201, "1001"] and token
    with pytest.raises(ValueError):
        await repository.transactions(TransactionQuery(station_id=sessions.v16), 3, token)  # another index's
    with pytest.raises(ValueError):
        await repository.transactions(TransactionQuery(), 3, "bm90IGEgdG9rZW4=")
