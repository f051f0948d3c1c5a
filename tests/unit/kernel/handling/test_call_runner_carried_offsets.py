"""CallRunner: a batch with nothing to publish gets no transaction; its offsets ride on the next transaction, or
are committed alone once they are `carry_s` old; a rebalance drops the carried offsets (every partition is read
again from its committed offset). Records are filtered by their headers; transactions start at most once per
interval."""

from __future__ import annotations

from typing import Any

from csms_kernel.handling.call_runner import CallRunner
from csms_kernel.handling.router import Router
from csms_kernel.infra import topics
from unit.kernel.handling.fakes import (
    GEN1,
    GEN2,
    P0,
    P1,
    FakeConsumer,
    FakeProducer,
    connected,
    record,
    running,
    undecodable,
    until_committed,
)


async def run(
    consumer: FakeConsumer, producer: FakeProducer, expected: int, carry_s: float, transaction_interval_s: float = 0
) -> None:
    none: Any = None
    runner = CallRunner(
        service="device_model",
        router=Router({}, lambda call, emitted: none),
        consumer=consumer,
        producer=producer,
        answered=none,
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=none,
        carry_s=carry_s,
        transaction_interval_s=transaction_interval_s,
    )
    async with running(runner):
        await until_committed(producer, expected)


async def test_offsets_of_a_batch_with_nothing_to_publish_ride_on_the_next_transaction() -> None:
    producer = FakeProducer()
    consumer = FakeConsumer({P0: [connected(0, 5)]}, {P1: [undecodable(1, 8)]})
    await run(consumer, producer, expected=1, carry_s=60)
    assert producer.committed == [([topics.DEAD_LETTER], {P0: 6, P1: 9}, GEN1)]


async def test_carried_offsets_are_committed_alone_after_carry_s() -> None:
    producer = FakeProducer()
    consumer = FakeConsumer({P0: [connected(0, 5)]}, {P0: [connected(0, 6)]})
    await run(consumer, producer, expected=1, carry_s=0)
    assert producer.committed[0] == ([], {P0: 7}, GEN1)


async def test_carried_offsets_are_dropped_by_a_rebalance() -> None:
    producer = FakeProducer()
    # An empty poll in between serves a rebalance: P0 may have had another owner meanwhile.
    consumer = FakeConsumer({P0: [connected(0, 5)]}, (GEN2, {}), {P1: [undecodable(1, 8)]})
    await run(consumer, producer, expected=1, carry_s=60)
    assert producer.committed == [([topics.DEAD_LETTER], {P1: 9}, GEN2)]


def call_headers(action: str) -> list[tuple[str, bytes]]:
    return [("kind", b"KIND_FRAME"), ("message_type", b"MESSAGE_TYPE_CALL"), ("action", action.encode())]


async def test_records_whose_headers_show_another_services_call_are_not_decoded() -> None:
    producer = FakeProducer()
    # Undecodable values: a record that is decoded is parked in the dead-letter topic.
    others = record(0, 5, b"\xff", call_headers("Authorize"))
    answer = record(0, 6, b"\xff", [("kind", b"KIND_FRAME"), ("message_type", b"MESSAGE_TYPE_CALL_RESULT")])
    own = record(1, 8, b"\xff", call_headers("Heartbeat"))
    consumer = FakeConsumer({P0: [others, answer]}, {P1: [own]})
    await run(consumer, producer, expected=1, carry_s=60)
    assert producer.committed == [([topics.DEAD_LETTER], {P0: 7, P1: 9}, GEN1)]


async def test_a_batch_soon_after_a_transaction_waits_out_the_interval_and_takes_what_arrives() -> None:
    producer = FakeProducer()
    consumer = FakeConsumer({P0: [undecodable(0, 5)]}, {P0: [undecodable(0, 6)]}, {P1: [undecodable(1, 8)]})
    await run(consumer, producer, expected=2, carry_s=60, transaction_interval_s=0.3)
    assert producer.committed == [
        ([topics.DEAD_LETTER], {P0: 6}, GEN1),  # the first transaction in a while starts at once
        ([topics.DEAD_LETTER, topics.DEAD_LETTER], {P0: 7, P1: 9}, GEN1),
    ]


async def test_a_rebalance_while_gathering_leaves_the_records_read_before_it_to_be_read_again() -> None:
    producer = FakeProducer()
    batches = {P0: [undecodable(0, 5)]}, {P0: [undecodable(0, 6)]}, (GEN2, {P1: [undecodable(1, 8)]})
    consumer = FakeConsumer(*batches)
    await run(consumer, producer, expected=2, carry_s=60, transaction_interval_s=0.3)
    assert producer.committed == [
        ([topics.DEAD_LETTER], {P0: 6}, GEN1),
        ([topics.DEAD_LETTER], {P1: 9}, GEN2),
    ]
