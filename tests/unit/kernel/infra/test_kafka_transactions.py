"""kafka_transactions with fake librdkafka clients: one transaction per commit with the batch's group metadata;
a refused generation aborts and raises GroupFenced; a fenced producer is not aborted; a producer that cannot
abort is replaced; the consumer's generation follows its rebalance callbacks (no I/O)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import confluent_kafka
import pytest
from aiokafka import TopicPartition

from csms_kernel.infra.kafka_transactions import (
    AsyncConsumer,
    Generation,
    GroupFenced,
    OutRecord,
    ProducerFenced,
    Record,
    TransactionalProducer,
    TransactionFailed,
    generation_id,
)

TP = TopicPartition("frames", 3)
GEN = Generation(1, b"metadata of generation 7")
OUT = OutRecord("replies", b"CS1", b"reply", [("kind", b"KIND_FRAME")])


def kafka_error(
    code: int, *, fatal: bool = False, abortable: bool = False, retriable: bool = False
) -> confluent_kafka.KafkaException:
    return confluent_kafka.KafkaException(
        confluent_kafka.KafkaError(code, "refused", fatal=fatal, retriable=retriable, txn_requires_abort=abortable)
    )


class FakeProducer:
    def __init__(self, fail: dict[str, confluent_kafka.KafkaException] | None = None) -> None:
        self.fail = fail or {}
        self.calls: list[tuple[Any, ...]] = []

    def _call(self, *call: Any) -> None:
        self.calls.append(call)
        if call[0] in self.fail:
            raise self.fail.pop(call[0])

    def init_transactions(self, timeout: float) -> None:
        self._call("init_transactions")

    def begin_transaction(self) -> None:
        self._call("begin_transaction")

    def produce(self, topic: str, value: bytes, key: bytes, headers: Any) -> None:
        self._call("produce", topic, value, key, headers)

    def send_offsets_to_transaction(self, positions: Any, metadata: Any, timeout: float) -> None:
        offsets = [(tp.topic, tp.partition, tp.offset) for tp in positions]
        self._call("send_offsets_to_transaction", offsets, metadata)

    def commit_transaction(self, timeout: float) -> None:
        self._call("commit_transaction")

    def abort_transaction(self, timeout: float) -> None:
        self._call("abort_transaction")

    def poll(self, timeout: float) -> int:
        return 0

    def close(self) -> None:
        self._call("close")


def producer_with(*fakes: FakeProducer) -> tuple[TransactionalProducer, list[dict[str, Any]]]:
    configs: list[dict[str, Any]] = []
    made = iter(fakes)

    def factory(config: dict[str, Any]) -> Any:
        configs.append(config)
        return next(made)

    return TransactionalProducer({"transactional.id": "svc.handlers.i1"}, factory=factory), configs


TRANSACTION = [
    ("begin_transaction",),
    ("produce", "replies", b"reply", b"CS1", [("kind", b"KIND_FRAME")]),
    ("send_offsets_to_transaction", [("frames", 3, 11)], GEN.metadata),
    ("commit_transaction",),
]


async def test_a_commit_is_one_transaction_with_the_batchs_group_metadata() -> None:
    fake = FakeProducer()
    producer, configs = producer_with(fake)
    await producer.start()
    await producer.commit([OUT], {TP: 11}, GEN)
    await producer.commit([], {TP: 12}, GEN)
    await producer.stop()
    await producer.stop()  # e.g. the runner's and the bootstrap's
    assert [config["transactional.id"] for config in configs] == ["svc.handlers.i1"]
    assert fake.calls == [
        ("init_transactions",),
        *TRANSACTION,
        ("begin_transaction",),
        ("send_offsets_to_transaction", [("frames", 3, 12)], GEN.metadata),
        ("commit_transaction",),
        ("close",),
    ]


@pytest.mark.parametrize(
    "code",
    [
        confluent_kafka.KafkaError.ILLEGAL_GENERATION,
        confluent_kafka.KafkaError.UNKNOWN_MEMBER_ID,
        confluent_kafka.KafkaError.FENCED_INSTANCE_ID,
    ],
)
async def test_offsets_refused_for_a_stale_generation_abort_the_transaction(code: int) -> None:
    fake = FakeProducer({"send_offsets_to_transaction": kafka_error(code, abortable=True)})
    producer, _ = producer_with(fake)
    with pytest.raises(GroupFenced):
        await producer.commit([OUT], {TP: 11}, GEN)
    assert fake.calls == [("init_transactions",), *TRANSACTION[:3], ("abort_transaction",)]


async def test_a_batch_read_outside_any_generation_is_refused_without_a_transaction() -> None:
    fake = FakeProducer()
    producer, configs = producer_with(fake)
    with pytest.raises(GroupFenced):
        await producer.commit([OUT], {TP: 11}, Generation(2, None))
    assert (configs, fake.calls) == ([], [])


async def test_a_fenced_producer_is_not_aborted() -> None:
    fake = FakeProducer({"commit_transaction": kafka_error(confluent_kafka.KafkaError._FENCED, fatal=True)})
    producer, _ = producer_with(fake)
    with pytest.raises(ProducerFenced):
        await producer.commit([OUT], {TP: 11}, GEN)
    assert fake.calls == [("init_transactions",), *TRANSACTION]


async def test_a_failed_initialisation_is_a_failed_transaction_and_the_next_start_tries_again() -> None:
    unreachable = FakeProducer({"init_transactions": kafka_error(confluent_kafka.KafkaError._TIMED_OUT)})
    fresh = FakeProducer()
    producer, _ = producer_with(unreachable, fresh)
    with pytest.raises(TransactionFailed):
        await producer.start()
    await producer.start()
    await producer.commit([OUT], {TP: 11}, GEN)
    assert unreachable.calls == [("init_transactions",), ("close",)]
    assert fresh.calls == [("init_transactions",), *TRANSACTION]


async def test_a_producer_that_cannot_abort_is_replaced_by_one_with_the_same_transactional_id() -> None:
    fatal = kafka_error(confluent_kafka.KafkaError._TIMED_OUT, fatal=True)
    broken = FakeProducer({"send_offsets_to_transaction": fatal, "abort_transaction": fatal})
    fresh = FakeProducer()
    producer, configs = producer_with(broken, fresh)
    with pytest.raises(TransactionFailed):
        await producer.commit([OUT], {TP: 11}, GEN)
    await producer.commit([OUT], {TP: 11}, GEN)
    await closed(broken)
    assert broken.calls == [("init_transactions",), *TRANSACTION[:3], ("abort_transaction",), ("close",)]
    assert fresh.calls == [("init_transactions",), *TRANSACTION]
    assert [config["transactional.id"] for config in configs] == ["svc.handlers.i1"] * 2


async def test_a_commit_that_timed_out_is_committed_again_never_aborted() -> None:
    """librdkafka: a retriable commit_transaction error leaves the outcome open; only committing again settles it."""
    fake = FakeProducer({"commit_transaction": kafka_error(confluent_kafka.KafkaError._TIMED_OUT, retriable=True)})
    producer, _ = producer_with(fake)
    await producer.commit([OUT], {TP: 11}, GEN)
    assert fake.calls == [("init_transactions",), *TRANSACTION, ("commit_transaction",)]


async def test_a_commit_that_failed_for_good_is_not_aborted_and_the_producer_is_replaced() -> None:
    """The commit may have gone through: aborting would not undo it, a new producer with the same transactional id
    settles it, and the caller reads the batch again from the committed offsets."""
    broken = FakeProducer({"commit_transaction": kafka_error(confluent_kafka.KafkaError._TIMED_OUT, fatal=True)})
    fresh = FakeProducer()
    producer, _ = producer_with(broken, fresh)
    with pytest.raises(TransactionFailed):
        await producer.commit([OUT], {TP: 11}, GEN)
    await producer.start()
    await closed(broken)
    assert broken.calls == [("init_transactions",), *TRANSACTION, ("close",)]
    assert fresh.calls == [("init_transactions",)]


async def test_a_commit_the_broker_says_must_be_aborted_is_aborted_and_the_producer_kept() -> None:
    fake = FakeProducer({"commit_transaction": kafka_error(confluent_kafka.KafkaError._STATE, abortable=True)})
    producer, configs = producer_with(fake)
    with pytest.raises(TransactionFailed):
        await producer.commit([OUT], {TP: 11}, GEN)
    await producer.commit([OUT], {TP: 11}, GEN)
    assert fake.calls == [("init_transactions",), *TRANSACTION, ("abort_transaction",), *TRANSACTION]
    assert len(configs) == 1


class StuckProducer(FakeProducer):
    """Blocks in `send_offsets_to_transaction` until released, past any timeout (librdkafka issue 5456)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def send_offsets_to_transaction(self, positions: Any, metadata: Any, timeout: float) -> None:
        super().send_offsets_to_transaction(positions, metadata, timeout)
        self.release.wait(10)


async def closed(fake: FakeProducer) -> None:
    for _ in range(200):
        if fake.calls[-1:] == [("close",)]:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not closed: {fake.calls}")


async def test_a_producer_stuck_past_its_deadline_is_replaced_and_never_commits() -> None:
    stuck, fresh = StuckProducer(), FakeProducer()
    made = iter([stuck, fresh])
    producer = TransactionalProducer(
        {"transactional.id": "svc.handlers.i1"}, factory=lambda config: next(made), stuck_after_s=0.2
    )
    with pytest.raises(TransactionFailed):
        await producer.commit([OUT], {TP: 11}, GEN)
    await producer.commit([OUT], {TP: 12}, GEN)
    assert fresh.calls[0] == ("init_transactions",)
    assert fresh.calls[-1] == ("commit_transaction",)

    stuck.release.set()  # the old call returns at last: the old producer aborts instead of committing
    await closed(stuck)
    assert ("commit_transaction",) not in stuck.calls
    assert stuck.calls[-2:] == [("abort_transaction",), ("close",)]
    await producer.stop()


async def test_an_abortable_failure_keeps_the_producer() -> None:
    failed = kafka_error(confluent_kafka.KafkaError._MSG_TIMED_OUT, abortable=True)
    fake = FakeProducer({"commit_transaction": failed})
    producer, configs = producer_with(fake)
    with pytest.raises(TransactionFailed):
        await producer.commit([OUT], {TP: 11}, GEN)
    await producer.commit([OUT], {TP: 11}, GEN)
    assert len(configs) == 1
    assert fake.calls == [("init_transactions",), *TRANSACTION, ("abort_transaction",), *TRANSACTION]


class FakeMessage:
    def __init__(self, partition: int, offset: int) -> None:
        self._partition, self._offset = partition, offset

    def error(self) -> None:
        return None

    def topic(self) -> str:
        return "frames"

    def partition(self) -> int:
        return self._partition

    def offset(self) -> int:
        return self._offset

    def key(self) -> bytes:
        return b"CS1"

    def value(self) -> bytes:
        return b"v"

    def headers(self) -> list[tuple[str, bytes]] | None:
        return [("kind", b"KIND_FRAME")] if self._offset % 2 else None


class FakeConsumer:
    """Serves a rebalance callback, if one is queued, inside `consume`, as librdkafka does."""

    def __init__(self, metadata: bytes) -> None:
        self.metadata = metadata
        self.callbacks: dict[str, Any] = {}
        self.rebalances: list[tuple[str, list[confluent_kafka.TopicPartition]]] = []
        self.messages: list[FakeMessage] = []
        self.positions: dict[int, int] = {}
        self.group_offsets: dict[int, int] = {}
        self.seeks: list[tuple[int, int]] = []

    def subscribe(self, topics: list[str], **callbacks: Any) -> None:
        self.callbacks = callbacks

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        if self.rebalances:
            kind, partitions = self.rebalances.pop(0)
            self.callbacks[kind](self, partitions)
        messages, self.messages = self.messages, []
        return messages

    def consumer_group_metadata(self) -> bytes:
        return self.metadata

    def position(self, partitions: list[confluent_kafka.TopicPartition]) -> list[confluent_kafka.TopicPartition]:
        return [
            confluent_kafka.TopicPartition(tp.topic, tp.partition, self.positions[tp.partition]) for tp in partitions
        ]

    def committed(
        self, partitions: list[confluent_kafka.TopicPartition], timeout: float
    ) -> list[confluent_kafka.TopicPartition]:
        return [
            confluent_kafka.TopicPartition(tp.topic, tp.partition, self.group_offsets.get(tp.partition, -1001))
            for tp in partitions
        ]

    def seek(self, partition: confluent_kafka.TopicPartition) -> None:
        self.seeks.append((partition.partition, partition.offset))

    def close(self) -> None: ...


def metadata(generation: int) -> bytes:
    return b"CGMDv2:" + generation.to_bytes(4, "little", signed=True) + b"svc.handlers\x00m-1\x00\x00"


async def test_the_consumers_generation_follows_its_rebalance_callbacks() -> None:
    fake = FakeConsumer(metadata(7))
    consumer = AsyncConsumer({"group.id": "svc.handlers"}, ["frames"], factory=lambda config: fake)  # type: ignore[arg-type,return-value]
    await consumer.start()
    assert consumer.generation() == Generation(0, None)

    fake.rebalances.append(("on_assign", [confluent_kafka.TopicPartition("frames", 0)]))
    fake.messages = [FakeMessage(0, 4), FakeMessage(0, 5)]
    assert await consumer.poll(500, 0) == {
        TopicPartition("frames", 0): [
            Record("frames", 0, 4, b"CS1", b"v", []),
            Record("frames", 0, 5, b"CS1", b"v", [("kind", b"KIND_FRAME")]),
        ]
    }
    assigned = consumer.generation()
    assert (assigned, consumer.assignment()) == (Generation(1, metadata(7)), {TopicPartition("frames", 0)})

    fake.rebalances.append(("on_lost", [confluent_kafka.TopicPartition("frames", 0)]))
    assert await consumer.poll(500, 0) == {}
    assert (consumer.generation(), consumer.assignment()) == (Generation(2, None), set())

    fake.metadata = metadata(-1)  # assigned after the member was lost again: no generation to commit with
    fake.rebalances.append(("on_assign", [confluent_kafka.TopicPartition("frames", 0)]))
    await consumer.poll(500, 0)
    assert consumer.generation() == Generation(3, None)
    await consumer.stop()
    await consumer.stop()


async def test_a_rewind_seeks_the_assigned_partitions_to_the_groups_committed_offsets() -> None:
    fake = FakeConsumer(metadata(7))
    consumer = AsyncConsumer({"group.id": "svc.handlers"}, ["frames"], factory=lambda config: fake)  # type: ignore[arg-type,return-value]
    await consumer.start()
    fake.rebalances.append(("on_assign", [confluent_kafka.TopicPartition("frames", p) for p in (0, 1)]))
    await consumer.poll(500, 0)
    fake.group_offsets = {0: 12}
    await consumer.rewind({TopicPartition("frames", 0), TopicPartition("frames", 1), TopicPartition("frames", 2)})
    # partition 2 is not assigned here; partition 1 has no committed offset: from the beginning (earliest)
    assert sorted(fake.seeks) == [(0, 12), (1, confluent_kafka.OFFSET_BEGINNING)]
    await consumer.stop()


def test_the_generation_is_read_from_librdkafkas_group_metadata() -> None:
    consumer = confluent_kafka.Consumer({"group.id": "g", "bootstrap.servers": "127.0.0.1:9"})
    try:
        assert generation_id(consumer.consumer_group_metadata()) == -1  # not joined yet
    finally:
        consumer.close()
    assert generation_id(metadata(7)) == 7


async def test_the_lag_is_known_from_librdkafkas_statistics_before_a_record_arrives() -> None:
    fake = FakeConsumer(metadata(7))
    fake.positions = {0: -1001}  # librdkafka's "no position yet"
    consumer = AsyncConsumer({"group.id": "svc.handlers"}, ["frames"], factory=lambda config: fake)  # type: ignore[arg-type,return-value]
    await consumer.start()
    fake.rebalances.append(("on_assign", [confluent_kafka.TopicPartition("frames", 0)]))
    await consumer.poll(500, 0)
    tp = TopicPartition("frames", 0)
    assert consumer.highwater(tp) is None

    stats = {
        "topics": {
            "frames": {
                "partitions": {
                    "0": {"ls_offset": 40, "hi_offset": 41, "committed_offset": 30},
                    "1": {"ls_offset": 9, "hi_offset": 9, "committed_offset": 1},  # not assigned here
                    "-1": {"ls_offset": -1, "hi_offset": -1, "committed_offset": -1},
                }
            }
        }
    }
    consumer._on_stats(json.dumps(stats))
    assert (consumer.highwater(tp), await consumer.position(tp)) == (40, 30)
    assert consumer.highwater(TopicPartition("frames", 1)) is None

    fake.positions = {0: 35}  # a record arrived: the position is the consumer's own
    assert (consumer.last_stable_offset(tp), await consumer.position(tp)) == (40, 35)
    await consumer.stop()


class BatchFillingConsumer(FakeConsumer):
    """librdkafka's consume(n, timeout): waits out the timeout unless n messages are there (counted, not slept)."""

    def __init__(self, metadata: bytes, arriving: list[FakeMessage]) -> None:
        super().__init__(metadata)
        self.arriving = arriving
        self.waited_s = 0.0

    def consume(self, num_messages: int, timeout: float) -> list[FakeMessage]:
        if len(self.messages) < num_messages and timeout > 0:
            self.waited_s += timeout
            self.messages += self.arriving
            self.arriving = []
        taken, self.messages = self.messages[:num_messages], self.messages[num_messages:]
        return taken


async def test_a_poll_returns_what_is_queued_without_waiting_for_a_full_batch() -> None:
    fake = BatchFillingConsumer(metadata(7), arriving=[FakeMessage(0, 6)])
    fake.messages = [FakeMessage(0, 4), FakeMessage(0, 5)]
    consumer = AsyncConsumer({"group.id": "svc.handlers"}, ["frames"], factory=lambda config: fake)  # type: ignore[arg-type,return-value]
    await consumer.start()
    first = await consumer.poll(500, 0.2)
    assert [r.offset for r in first[TopicPartition("frames", 0)]] == [4, 5]
    assert fake.waited_s == 0
    second = await consumer.poll(500, 0.2)
    assert [r.offset for r in second[TopicPartition("frames", 0)]] == [6]
    assert fake.waited_s == 0.2  # only while nothing was there
    await consumer.stop()


async def test_a_partition_never_committed_nor_consumed_has_the_lag_of_librdkafkas_fetch_position() -> None:
    fake = FakeConsumer(metadata(7))
    fake.positions = {0: -1001}
    consumer = AsyncConsumer({"group.id": "svc.handlers"}, ["frames"], factory=lambda config: fake)  # type: ignore[arg-type,return-value]
    await consumer.start()
    fake.rebalances.append(("on_assign", [confluent_kafka.TopicPartition("frames", 0)]))
    await consumer.poll(500, 0)
    stats = {"ls_offset": 0, "hi_offset": 0, "committed_offset": -1001, "next_offset": 0}
    consumer._on_stats(json.dumps({"topics": {"frames": {"partitions": {"0": stats}}}}))
    tp = TopicPartition("frames", 0)
    assert (consumer.highwater(tp), await consumer.position(tp)) == (0, 0)
    await consumer.stop()


async def test_a_close_that_blocks_inside_librdkafka_does_not_stop_the_shutdown() -> None:
    release = threading.Event()

    class StuckClose(FakeConsumer):
        def close(self) -> None:
            release.wait(10)

    fake = StuckClose(metadata(7))
    consumer = AsyncConsumer(
        {"group.id": "svc.handlers"},
        ["frames"],
        factory=lambda config: fake,  # type: ignore[arg-type,return-value]
        close_timeout_s=0.2,
    )
    await consumer.start()
    started = time.monotonic()
    await consumer.stop()
    assert time.monotonic() - started < 2
    release.set()
