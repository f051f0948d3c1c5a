"""A scratch keyspace with the transactions read-model tables, full dumps of them for comparisons, and
a bounded replay of the events log into it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition

from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.migrate import package_schemas, split_cql
from csms_transactions.projections.projector import TABLES, TransactionsProjector
from csms_transactions.projections.transactions import KEYSPACE

_TABLE = re.compile(rf"CREATE TABLE IF NOT EXISTS {KEYSPACE}\.(\w+)")


async def create_keyspace(session: CassandraSession) -> str:
    """A fresh keyspace holding the projector's tables (same definitions as csms_transactions/schema.cql)."""
    keyspace = f"csms_transactions_scratch_{uuid.uuid4().hex[:12]}"
    await session.execute(
        f"CREATE KEYSPACE {keyspace} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"
    )
    (schema,) = package_schemas(["csms_transactions"])
    for statement in split_cql(schema.cql):
        found = _TABLE.search(statement)
        if found and found.group(1) in TABLES:
            await session.execute(statement.replace(f"{KEYSPACE}.", f"{keyspace}."))
    return keyspace


async def drop_keyspace(session: CassandraSession, keyspace: str) -> None:
    await session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}")


async def truncate(session: CassandraSession, keyspace: str) -> None:
    for table in TABLES:
        await session.execute(f"TRUNCATE {keyspace}.{table}")


async def dump(session: CassandraSession, keyspace: str) -> dict[str, list[dict[str, Any]]]:
    """Every row of every read-model table, in a stable order."""
    tables = {}
    for table in TABLES:
        rows = await session.execute(f"SELECT * FROM {keyspace}.{table}", idempotent=True)
        tables[table] = sorted(rows, key=repr)
    return tables


async def end_offsets(consumer: AIOKafkaConsumer) -> dict[TopicPartition, int]:
    """The current end of every partition of the events topic (a started consumer subscribed to it)."""
    partitions = consumer.partitions_for_topic(topics.TRANSACTIONS_EVENTS) or set()
    return await consumer.end_offsets([TopicPartition(topics.TRANSACTIONS_EVENTS, p) for p in sorted(partitions)])


async def replay(consumer: AIOKafkaConsumer, projector: TransactionsProjector, end: dict[TopicPartition, int]) -> int:
    """Applies the consumer's records up to `end` (later ones are left alone, so concurrent test sessions
    cannot change the outcome), committing after each applied batch as ProjectionRunner does; returns how
    many records were applied."""
    applied = 0
    while [tp for tp, offset in end.items() if await consumer.position(tp) < offset]:
        batch = await consumer.getmany(timeout_ms=500, max_records=1000)
        if not batch:
            continue
        records = [r for tp, rs in batch.items() for r in rs if r.offset < end[tp]]
        await projector.apply(records)
        applied += len(records)
        await consumer.commit({tp: min(rs[-1].offset + 1, end[tp]) for tp, rs in batch.items()})
    return applied
