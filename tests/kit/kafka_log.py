"""Readers of the committed Kafka log (read_committed isolation), for exactly-once assertions. Network I/O only."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition


async def end_offsets(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    """The current end (last stable offset) of every partition of `topic`."""
    metadata = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await metadata.start()
    try:
        partitions = [TopicPartition(topic, p) for p in sorted(await metadata.partitions_for(topic))]
    finally:
        await metadata.stop()
    assert partitions, f"topic {topic} has no partitions"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    await consumer.start()
    try:
        consumer.assign(partitions)
        return dict(await consumer.end_offsets(partitions))
    finally:
        await consumer.stop()


async def read_committed(bootstrap: str, start: dict[TopicPartition, int]) -> list[bytes]:
    """Every committed record value from `start` up to the current last stable offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    await consumer.start()
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        end = await consumer.end_offsets(list(start))
        values: list[bytes] = []
        while [tp for tp in start if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=500)
            values += [record.value for records in batch.values() for record in records if record.value]
        return values
    finally:
        await consumer.stop()
