"""CallRunner: a batch with nothing to publish gets no transaction; its offsets ride on the next transaction, or
are committed alone once they are `carry_s` old; offsets of partitions no longer assigned are dropped."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from aiokafka import ConsumerRecord, TopicPartition

from csms.envelope.v1 import envelope_pb2
from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.handling.router import Router
from csms_kernel.infra import topics
from kit.waiting import eventually

P0, P1 = TopicPartition(topics.FRAMES, 0), TopicPartition(topics.FRAMES, 1)


class Metadata:
    def topics(self) -> set[str]:
        return {topics.DEAD_LETTER}


class Client:
    async def fetch_all_metadata(self) -> Metadata:
        return Metadata()


class Producer:
    def __init__(self) -> None:
        self.client = Client()
        self.transactions: list[tuple[list[str], dict[TopicPartition, int]]] = []
        self._sent: list[str] = []

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        self._sent = []
        yield

    async def send(self, topic: str, value: bytes, key: bytes, headers: Any) -> None:
        self._sent.append(topic)

    async def send_offsets_to_transaction(self, offsets: dict[TopicPartition, int], group_id: str) -> None:
        self.transactions.append((self._sent, offsets))


class Consumer:
    def __init__(self, *batches: dict[TopicPartition, list[Any]], assigned: set[TopicPartition]) -> None:
        self._batches = list(batches)
        self.assigned = assigned

    async def getmany(self, timeout_ms: int = 0, max_records: int | None = None) -> dict[TopicPartition, list[Any]]:
        if self._batches:
            return self._batches.pop(0)
        await asyncio.sleep(timeout_ms / 1000)
        return {}

    def assignment(self) -> set[TopicPartition]:
        return self.assigned


def connected(partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    """A CONNECTED record: no service answers it, so it publishes nothing."""
    value = envelope_pb2.Envelope(station_id="CS1", kind=envelope_pb2.KIND_CONNECTED).SerializeToString()
    return ConsumerRecord(topics.FRAMES, partition, offset, 0, 0, b"CS1", value, None, 0, 0, [])


def undecodable(partition: int, offset: int) -> ConsumerRecord[bytes, bytes]:
    """Parked in the dead-letter topic: something to publish."""
    return ConsumerRecord(topics.FRAMES, partition, offset, 0, 0, b"CS1", b"\xff", None, 0, 0, [])


async def run(
    consumer: Consumer, producer: Producer, expected: int, carry_s: float, transaction_interval_s: float = 0
) -> None:
    none: Any = None
    runner = CallRunner(
        service="device_model",
        router=Router({}, lambda call, emitted: none),
        consumer=consumer,  # type: ignore[arg-type]
        producers=lambda: producer,  # type: ignore[arg-type,return-value]
        answered=none,
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=none,
        carry_s=carry_s,
        transaction_interval_s=transaction_interval_s,
    )

    async def committed() -> int:
        return len(producer.transactions)

    task = asyncio.create_task(runner.run())
    try:
        await eventually(committed, lambda n: n >= expected, timeout_s=5, what=f"{expected} transactions")
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def test_offsets_of_a_batch_with_nothing_to_publish_ride_on_the_next_transaction() -> None:
    producer = Producer()
    consumer = Consumer({P0: [connected(0, 5)]}, {P1: [undecodable(1, 8)]}, assigned={P0, P1})
    await run(consumer, producer, expected=1, carry_s=60)
    assert producer.transactions == [([topics.DEAD_LETTER], {P0: 6, P1: 9})]


async def test_carried_offsets_are_committed_alone_after_carry_s() -> None:
    producer = Producer()
    consumer = Consumer({P0: [connected(0, 5)]}, {P0: [connected(0, 6)]}, assigned={P0})
    await run(consumer, producer, expected=1, carry_s=0)
    assert producer.transactions[0] == ([], {P0: 7})


async def test_carried_offsets_of_a_partition_taken_away_are_dropped() -> None:
    producer = Producer()
    consumer = Consumer({P0: [connected(0, 5)]}, {P1: [undecodable(1, 8)]}, assigned={P0, P1})
    consumer._batches.insert(1, {})  # an empty poll in between, while P0 is taken away
    consumer.assigned = {P1}
    await run(consumer, producer, expected=1, carry_s=60)
    assert producer.transactions == [([topics.DEAD_LETTER], {P1: 9})]


def call_headers(action: str) -> list[tuple[str, bytes]]:
    return [("kind", b"KIND_FRAME"), ("message_type", b"MESSAGE_TYPE_CALL"), ("action", action.encode())]


async def test_records_whose_headers_show_another_services_call_are_not_decoded() -> None:
    producer = Producer()
    # Undecodable values: a record that is decoded is parked in the dead-letter topic.
    others = ConsumerRecord(topics.FRAMES, 0, 5, 0, 0, b"CS1", b"\xff", None, 0, 0, call_headers("Authorize"))
    answer = [("kind", b"KIND_FRAME"), ("message_type", b"MESSAGE_TYPE_CALL_RESULT"), ("action", b"Reset")]
    result = ConsumerRecord(topics.FRAMES, 0, 6, 0, 0, b"CS1", b"\xff", None, 0, 0, answer)
    own = ConsumerRecord(topics.FRAMES, 1, 8, 0, 0, b"CS1", b"\xff", None, 0, 0, call_headers("Heartbeat"))
    consumer = Consumer({P0: [others, result]}, {P1: [own]}, assigned={P0, P1})
    await run(consumer, producer, expected=1, carry_s=60)
    assert producer.transactions == [([topics.DEAD_LETTER], {P0: 7, P1: 9})]


async def test_a_batch_soon_after_a_transaction_waits_out_the_interval_and_takes_what_arrives() -> None:
    producer = Producer()
    batches = {P0: [undecodable(0, 5)]}, {P0: [undecodable(0, 6)]}, {P1: [undecodable(1, 8)]}
    consumer = Consumer(*batches, assigned={P0, P1})
    await run(consumer, producer, expected=2, carry_s=60, transaction_interval_s=0.3)
    assert producer.transactions == [
        ([topics.DEAD_LETTER], {P0: 6}),  # the first transaction in a while starts at once
        ([topics.DEAD_LETTER, topics.DEAD_LETTER], {P0: 7, P1: 9}),
    ]
