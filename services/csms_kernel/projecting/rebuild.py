"""Rebuilding a projection from the log: truncate its tables, replay its topics from the beginning.

The replay is bounded by the end offsets when it starts, or by given ones (records written later are left to
the live projector) and commits its positions in the given consumer group as it goes. Policies do not run; records
that do not decode are skipped (the live projector parked them). Run it with the projection's live projectors
stopped, or with a fresh group into a scratch keyspace. Network I/O: Kafka and Cassandra.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import TopicPartition

from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.client_security import PLAINTEXT, KafkaSecurity
from csms_kernel.infra.kafka import make_admin, make_consumer
from csms_kernel.projecting.projection import (
    CurrentState,
    E,
    NoState,
    Projection,
    S,
    UndecodableRecordError,
    decode,
)
from csms_kernel.projecting.runner import apply_events
from csms_kernel.projecting.writes import CassandraWriter

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rebuilt:
    replayed: int  # records read from the log (decodable or not)
    end: dict[TopicPartition, int]  # where the replay stopped


async def rebuild(
    projection: Projection[E, S],
    *,
    kafka_bootstrap: str,
    kafka_security: KafkaSecurity = PLAINTEXT,
    session: CassandraSession,
    state: CurrentState[E, S] | None = None,
    group: str | None = None,
    keyspace: str | None = None,
    until: Mapping[TopicPartition, int] | None = None,
) -> Rebuilt:
    """Rebuilds `projection` into `keyspace` (default: its own) reading in `group` (default: its own) up to
    `until` (default: the end of its topics now). `state` is required when the projection needs current state."""
    into = keyspace or projection.keyspace
    step: CurrentState[E, Any] = state if state is not None else NoState()
    partitions = await _partitions(kafka_bootstrap, kafka_security, projection.topics)
    consumer = make_consumer(
        kafka_bootstrap, group or projection.name, f"{projection.name}.rebuild", security=kafka_security
    )
    await consumer.start()
    try:
        end = dict(until) if until is not None else await consumer.end_offsets(partitions)
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        for table in projection.tables:
            await session.execute(f"TRUNCATE {into}.{table}")
        writer = CassandraWriter(session, into)
        replayed = 0
        while [tp for tp, offset in end.items() if await consumer.position(tp) < offset]:
            batch = await consumer.getmany(timeout_ms=500, max_records=1000)
            if not batch:
                continue
            records = [record for tp, tp_records in batch.items() for record in tp_records if record.offset < end[tp]]
            events = []
            for record in records:
                try:
                    events.append(decode(projection, record))
                except UndecodableRecordError as exc:
                    log.warning("%s rebuild: skipping %s", projection.name, exc)
            await apply_events(projection, events, writer, step)
            replayed += len(records)
            await consumer.commit({tp: min(rs[-1].offset + 1, end[tp]) for tp, rs in batch.items()})
        return Rebuilt(replayed, end)
    finally:
        await consumer.stop()


async def _partitions(kafka_bootstrap: str, security: KafkaSecurity, topics: Sequence[str]) -> list[TopicPartition]:
    admin = make_admin(kafka_bootstrap, "csms-rebuild", security=security)
    await admin.start()
    try:
        described: list[dict[str, Any]] = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    missing = [str(topic["topic"]) for topic in described if topic["error_code"] != 0]
    if missing:
        raise ValueError(f"cannot rebuild from missing topics {missing}")
    return sorted(
        TopicPartition(str(topic["topic"]), int(partition["partition"]))
        for topic in described
        for partition in topic["partitions"]
    )
