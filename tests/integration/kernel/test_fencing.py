"""The broker refuses a zombie's transaction (KIP-447): two call-runner clients (`AsyncConsumer` and
`TransactionalProducer`, each with its own transactional id) in one consumer group over a test topic. The first
reads a batch, then stops polling past `max.poll.interval.ms`, so the group rebalances the partition to the
second, which reads the same records. The first then commits its transaction with the group metadata its batch
was read in: the broker answers ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID, the transaction is aborted, and
`read_committed` readers see only the new owner's records and offsets, whether the zombie commits before or
after it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import confluent_kafka
import pytest
from aiokafka import TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from ocpp.v201 import call as v201_call
from ocpp.v201 import call_result as v201_result

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.handling.router import CallInfo, Emitted, Route, Router
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.kafka import envelope_headers, librdkafka_consumer_config, librdkafka_transactional_config
from csms_kernel.infra.kafka_transactions import (
    AsyncConsumer,
    Batch,
    Generation,
    GroupFenced,
    OutRecord,
    TransactionalProducer,
)
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from csms_kernel.ocpp.versions import OcppVersion
from infra_fixtures import Infra
from kit.builders.envelopes import frame_envelope
from kit.fakes.answered_calls import InMemoryAnsweredCalls
from kit.kafka_log import read_committed
from kit.waiting import eventually

RECORDS = 5
# The broker's minimum session timeout; librdkafka wants max.poll.interval.ms >= session.timeout.ms.
ZOMBIE_AFTER_MS = 6000


async def create_topics(bootstrap: str, *names: str) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1) for name in names])
    for future in futures.values():
        await asyncio.wrap_future(future)


async def produce(bootstrap: str, topic: str, count: int) -> None:
    producer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for i in range(count):
        producer.produce(topic, f"in-{i}".encode(), b"CS1")
    assert await asyncio.to_thread(producer.flush, 30) == 0
    producer.close()


def consumer(bootstrap: str, group: str, name: str, topic: str) -> AsyncConsumer:
    config = librdkafka_consumer_config(bootstrap, group, name)
    config.update({"session.timeout.ms": ZOMBIE_AFTER_MS, "max.poll.interval.ms": ZOMBIE_AFTER_MS})
    return AsyncConsumer(config, [topic])


async def read_all(reader: AsyncConsumer, count: int) -> tuple[Batch, Generation]:
    """Polls until `count` records were read in one generation; the records and that generation."""
    batch: Batch = {}
    generation = reader.generation()

    async def poll() -> int:
        nonlocal batch, generation
        more = await reader.poll(500, 0.2)
        if reader.generation() != generation:
            batch, generation = {}, reader.generation()
        for tp, records in more.items():
            batch.setdefault(tp, []).extend(records)
        return sum(map(len, batch.values()))

    await eventually(poll, lambda n: n >= count, timeout_s=60, what=f"{count} records read")
    return batch, generation


def transaction(owner: str, batch: Batch, output: str) -> tuple[list[OutRecord], dict[TopicPartition, int]]:
    """One output record per input record, tagged with its owner, and the offsets after the batch."""
    outs = [
        OutRecord(output, record.key or b"", f"{owner}:{record.offset}".encode(), [])
        for records in batch.values()
        for record in records
    ]
    return outs, {tp: records[-1].offset + 1 for tp, records in batch.items()}


def committed_offset(bootstrap: str, group: str, tp: TopicPartition) -> int:
    reader = confluent_kafka.Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        (committed,) = reader.committed([confluent_kafka.TopicPartition(tp.topic, tp.partition)], timeout=30)
        return int(committed.offset)
    finally:
        reader.close()


@pytest.mark.parametrize("zombie_commits", ["before the new owner", "after the new owner"])
async def test_the_broker_refuses_the_commit_of_a_consumer_the_group_has_moved_on_from(
    infra: Infra, zombie_commits: str
) -> None:
    bootstrap = infra.kafka_bootstrap
    run = uuid.uuid4().hex[:8]
    source, output, group = f"fencing-in-{run}", f"fencing-out-{run}", f"fencing-{run}.handlers"
    await create_topics(bootstrap, source, output)
    await produce(bootstrap, source, RECORDS)

    zombie = consumer(bootstrap, group, "zombie", source)
    owner = consumer(bootstrap, group, "owner", source)
    zombie_producer = TransactionalProducer(librdkafka_transactional_config(bootstrap, "zombie", f"{group}.zombie"))
    owner_producer = TransactionalProducer(librdkafka_transactional_config(bootstrap, "owner", f"{group}.owner"))
    await zombie.start()
    try:
        stale_batch, stale_generation = await read_all(zombie, RECORDS)
        # The zombie stops polling: librdkafka leaves the group after max.poll.interval.ms, and the
        # partition goes to the new owner, which reads the same records from the (absent) committed offset.
        await owner.start()
        batch, generation = await read_all(owner, RECORDS)
        assert generation.metadata is not None and stale_generation.metadata is not None
        assert generation.metadata != stale_generation.metadata

        async def zombie_commit() -> GroupFenced:
            with pytest.raises(GroupFenced) as refused:
                await zombie_producer.commit(*transaction("zombie", stale_batch, output), stale_generation)
            return refused.value

        refusal = await zombie_commit() if zombie_commits == "before the new owner" else None
        await owner_producer.commit(*transaction("owner", batch, output), generation)
        refusal = refusal or await zombie_commit()
    finally:
        for client in (zombie_producer, owner_producer, owner, zombie):
            await client.stop()

    assert "ILLEGAL_GENERATION" in str(refusal) or "UNKNOWN_MEMBER_ID" in str(refusal), refusal
    values = await read_committed(bootstrap, {TopicPartition(output, 0): 0})
    assert values == [f"owner:{offset}".encode() for offset in range(RECORDS)]
    tp = TopicPartition(source, 0)
    assert await asyncio.to_thread(committed_offset, bootstrap, group, tp) == RECORDS


@dataclass
class Context:
    call: CallInfo
    emitted: Emitted


def heartbeat_envelope(station_id: str, node: str) -> envelope_pb2.Envelope:
    return frame_envelope(
        '[2,"hb-1","Heartbeat",{}]',
        station_id=station_id,
        message_id="hb-1",
        edge_node_id=node,
        received_at=timestamp(datetime.now(UTC)),
    )


async def test_a_call_runner_that_resumes_after_the_group_moved_on_publishes_nothing(
    infra: Infra, caplog: pytest.LogCaptureFixture
) -> None:
    """Two call runners in one group: the first is stuck in a handler past `max.poll.interval.ms` (as a frozen
    process would be), the second takes the partition over and answers; the first then finishes its batch and
    commits: the broker refuses it, and every CALL has one committed reply and one event."""
    bootstrap = infra.kafka_bootstrap
    run = uuid.uuid4().hex[:8]
    node, source, events = f"fencing-{run}", f"fencing-frames-{run}", f"fencing-events-{run}"
    group = f"fencing-{run}"
    await create_topics(bootstrap, source, events, topics.delivery(node))
    stations = [f"FENCE-{run}-{i}" for i in range(RECORDS)]
    writer = confluent_kafka.Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for station_id in stations:
        envelope = heartbeat_envelope(station_id, node)
        writer.produce(source, envelope.SerializeToString(), station_id.encode(), headers=envelope_headers(envelope))
    assert await asyncio.to_thread(writer.flush, 30) == 0
    writer.close()

    stuck, release = asyncio.Event(), asyncio.Event()

    def handler(blocks: bool) -> Callable[[Context, v201_call.Heartbeat], Awaitable[v201_result.Heartbeat]]:
        async def heartbeat(ctx: Context, request: v201_call.Heartbeat) -> v201_result.Heartbeat:
            if blocks:
                stuck.set()
                await release.wait()
            ctx.emitted.emit(device_model_pb2.DeviceModelEvent(station_id=ctx.call.station_id))
            return v201_result.Heartbeat(current_time=ctx.call.received_at.isoformat())

        return heartbeat

    def call_runner(name: str, blocks: bool) -> tuple[CallRunner[Context], AsyncConsumer]:
        reader = consumer(bootstrap, group, name, source)
        route = Route(v201_call.Heartbeat, handler(blocks))
        runner = CallRunner(
            service=DEVICE_MODEL,
            router=Router({OcppVersion.V201: {"Heartbeat": route}}, Context),
            consumer=reader,
            producer=TransactionalProducer(librdkafka_transactional_config(bootstrap, name, f"{group}.{name}")),
            answered=InMemoryAnsweredCalls(),
            events_topic=events,
            clock=lambda: datetime.now(UTC),
            transaction_interval_s=0,
        )
        return runner, reader

    zombie, zombie_reader = call_runner("zombie", blocks=True)
    owner, owner_reader = call_runner("owner", blocks=False)
    replies = {TopicPartition(topics.delivery(node), 0): 0}
    async with asyncio.TaskGroup() as tasks:
        await zombie_reader.start()
        running = [tasks.create_task(zombie.run())]
        try:
            await asyncio.wait_for(stuck.wait(), 60)
            await owner_reader.start()
            running.append(tasks.create_task(owner.run()))
            await eventually(
                lambda: read_committed(bootstrap, replies),
                lambda values: len(values) >= RECORDS,
                timeout_s=60,
                what="the new owner's replies",
            )
            with caplog.at_level(logging.WARNING, logger="csms_kernel.handling.call_runner"):
                release.set()
                await eventually(
                    lambda: asyncio.sleep(0.1, caplog.text),
                    lambda text: "batch refused" in text,
                    timeout_s=30,
                    what="the zombie's batch refused",
                )
        finally:
            for task in running:
                task.cancel()
    for reader in (zombie_reader, owner_reader):
        await reader.stop()

    assert "ILLEGAL_GENERATION" in caplog.text or "UNKNOWN_MEMBER_ID" in caplog.text, caplog.text
    answered = Counter(
        envelope_pb2.Envelope.FromString(value).station_id for value in await read_committed(bootstrap, replies)
    )
    assert answered == Counter(dict.fromkeys(stations, 1))
    emitted = await read_committed(bootstrap, {TopicPartition(events, 0): 0})
    assert Counter(device_model_pb2.DeviceModelEvent.FromString(value).station_id for value in emitted) == answered
