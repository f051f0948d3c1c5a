"""Readers of the committed Kafka log (read_committed isolation), for exactly-once assertions. Network I/O only."""

from __future__ import annotations

from collections.abc import Sequence

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition

from csms_kernel.infra.kafka import make_consumer
from kit.waiting import eventually


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
    return [record.value for record in await read_committed_records(bootstrap, start) if record.value]


async def read_committed_records(
    bootstrap: str, start: dict[TopicPartition, int]
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every committed record from `start` up to the current last stable offsets."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, isolation_level="read_committed")
    await consumer.start()
    try:
        consumer.assign(list(start))
        for tp, offset in start.items():
            consumer.seek(tp, offset)
        end = await consumer.end_offsets(list(start))
        read: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in start if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(timeout_ms=500)
            read += [record for records in batch.values() for record in records]
        return read
    finally:
        await consumer.stop()


async def read_until_end_marks(
    bootstrap: str, producer: AIOKafkaProducer, topic: str, keys: Sequence[str], group: str
) -> dict[str, list[ConsumerRecord[bytes, bytes]]]:
    """Every record of each key on `topic`, in order, up to an end mark: an empty record this function
    writes after each key's last one through `producer` (the same producer that wrote them, so the mark lands
    after them in their partition)."""
    for key in keys:
        await producer.send_and_wait(topic, b"", key=key.encode())
    consumer = make_consumer(bootstrap, None, group, topic)
    await consumer.start()
    read: dict[str, list[ConsumerRecord[bytes, bytes]]] = {key: [] for key in keys}
    ended: set[str] = set()
    try:

        async def marks() -> set[str]:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                for record in records:
                    key = (record.key or b"").decode()
                    if key in read and key not in ended:
                        if record.value:
                            read[key].append(record)
                        else:
                            ended.add(key)
            return ended

        await eventually(marks, lambda done: done == set(keys), timeout_s=60, what="every key's end mark")
    finally:
        await consumer.stop()
    return read
