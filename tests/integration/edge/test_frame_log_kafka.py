"""The frame log on librdkafka against the real Kafka: durable on return, partitioned like aiokafka, failing loudly."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from typing import Any

import confluent_kafka
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner

from csms_edge.adapters.frame_log import KafkaFrameLog
from csms_edge.adapters.kafka_producer import AsyncProducer
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import envelope_headers, librdkafka_producer_config
from kit.edge_node import FramesTail
from kit.fakes.edge import heartbeat_call

pytestmark = pytest.mark.integration


async def end_offsets(bootstrap: str, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, client_id="frame-log-it-offsets")
    await consumer.start()
    try:
        offsets: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return offsets
    finally:
        await consumer.stop()


async def test_appends_are_durable_on_return_in_order_on_the_partition_aiokafka_would_pick(
    infra: Any, frames: FramesTail
) -> None:
    producer = AsyncProducer(librdkafka_producer_config(infra.kafka_bootstrap, "frame-log-it"))
    log = KafkaFrameLog(producer)
    stations = [f"CS-{uuid.uuid4().hex[:12]}" for _ in range(8)]
    partitions = sorted(frames.consumer.assignment())
    before = await end_offsets(infra.kafka_bootstrap, partitions)
    try:
        first = heartbeat_call(stations[0], "m0")
        await log.append(first)
        await log.append_many([heartbeat_call(stations[0], f"m{i}") for i in range(1, 5)])
        await log.append_many([heartbeat_call(station_id, "m0") for station_id in stations[1:]])
        after = await end_offsets(infra.kafka_bootstrap, partitions)  # no waiting: acknowledged means written
    finally:
        await producer.stop()

    numbers = [tp.partition for tp in partitions]
    expected = {station_id: DefaultPartitioner()(station_id.encode(), numbers, numbers) for station_id in stations}
    grown = {tp.partition: after[tp] - before[tp] for tp in partitions}
    written = Counter(expected[station_id] for station_id in stations[1:]) + Counter({expected[stations[0]]: 5})
    for partition, count in written.items():
        assert grown[partition] >= count

    envelopes = await frames.wait_for(stations[0], lambda found: len(found) == 5)
    assert [e.message_id for e in envelopes] == ["m0", "m1", "m2", "m3", "m4"]
    for station_id in stations:
        await frames.wait_for(station_id, lambda found: len(found) >= 1)
        assert {record.partition for record in frames.records_of(station_id)} == {expected[station_id]}
    record = frames.records_of(stations[0])[0]
    assert record.topic == topics.FRAMES
    assert record.value == first.SerializeToString()
    assert list(record.headers) == envelope_headers(first)
    assert first.produced_at.ToNanoseconds() > 0


async def test_an_append_that_cannot_be_written_raises() -> None:
    config = librdkafka_producer_config("127.0.0.1:1", "frame-log-it-unreachable")
    config["message.timeout.ms"] = 500
    producer = AsyncProducer(config)
    log = KafkaFrameLog(producer)
    started = time.monotonic()
    try:
        with pytest.raises(confluent_kafka.KafkaException) as raised:
            await log.append(heartbeat_call("CS-unreachable", "m0"))
    finally:
        await producer.stop(timeout_s=1.0)
    assert raised.value.args[0].code() == confluent_kafka.KafkaError._MSG_TIMED_OUT
    assert time.monotonic() - started < 10
