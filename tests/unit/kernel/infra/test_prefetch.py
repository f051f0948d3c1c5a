"""Prefetcher: records fetched while a commit runs are taken, kept in order, and never lost to a cancelled poll."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiokafka import TopicPartition

from csms_kernel.infra.prefetch import Batch, Prefetcher
from kit.waiting import wait_until

TP0, TP1 = TopicPartition("t", 0), TopicPartition("t", 1)


class FakeConsumer:
    """Hands out what `arrive()` queued; a poll cancelled while waiting takes nothing. Counts its polls and the
    batches it handed out, so the work under test can wait for them."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Batch] = asyncio.Queue()
        self.fail: Exception | None = None
        self.polls = 0
        self.handed_out = 0

    def arrive(self, batch: Batch) -> None:
        self._queue.put_nowait(batch)

    async def getmany(self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None) -> Batch:
        self.polls += 1
        if self.fail is not None:
            raise self.fail
        try:
            batch = await asyncio.wait_for(self._queue.get(), timeout_ms / 1000)
        except TimeoutError:
            return {}
        self.handed_out += 1
        return batch


async def test_records_arriving_during_the_work_are_taken_in_order() -> None:
    consumer = FakeConsumer()
    prefetcher = Prefetcher(consumer, poll_timeout_ms=1000)

    async def commit() -> str:
        consumer.arrive({TP0: [1, 2], TP1: [10]})
        await wait_until(lambda: consumer.handed_out == 1)
        consumer.arrive({TP0: [3]})
        await wait_until(lambda: consumer.handed_out == 2)
        return "committed"

    assert await prefetcher.during(commit()) == "committed"
    assert prefetcher.take() == {TP0: [1, 2, 3], TP1: [10]}
    assert prefetcher.take() == {}


async def test_a_poll_still_waiting_when_the_work_ends_loses_nothing() -> None:
    consumer = FakeConsumer()
    prefetcher = Prefetcher(consumer, poll_timeout_ms=10_000)

    async def commit() -> None:
        await wait_until(lambda: consumer.polls == 1)  # the poll waits for records

    await prefetcher.during(commit())
    consumer.arrive({TP0: [7]})
    assert prefetcher.take() == {}
    assert await consumer.getmany(timeout_ms=100) == {TP0: [7]}


async def test_no_more_than_the_limit_is_held() -> None:
    consumer = FakeConsumer()
    prefetcher = Prefetcher(consumer, limit=3)
    for batch in ({TP0: [1, 2]}, {TP0: [3, 4]}, {TP0: [5]}):
        consumer.arrive(batch)

    async def commit() -> None:
        await wait_until(lambda: consumer.handed_out == 2)
        for _ in range(10):  # event-loop turns in which a prefetcher past its limit would take the third batch
            await asyncio.sleep(0)

    await prefetcher.during(commit())
    assert prefetcher.take() == {TP0: [1, 2, 3, 4]}
    assert await consumer.getmany(timeout_ms=100) == {TP0: [5]}


async def test_the_works_exception_is_raised_and_the_records_kept() -> None:
    consumer = FakeConsumer()
    prefetcher = Prefetcher(consumer)

    async def failing_commit() -> None:
        consumer.arrive({TP1: [4]})
        await wait_until(lambda: consumer.handed_out == 1)
        raise RuntimeError("transaction failed")

    with pytest.raises(RuntimeError, match="transaction failed"):
        await prefetcher.during(failing_commit())
    assert prefetcher.take() == {TP1: [4]}


async def test_a_failing_poll_only_stops_prefetching() -> None:
    consumer = FakeConsumer()
    consumer.fail = RuntimeError("consumer broken")
    prefetcher = Prefetcher(consumer)

    async def commit() -> int:
        await wait_until(lambda: consumer.polls == 1)
        return 1

    assert await prefetcher.during(commit()) == 1
    assert prefetcher.take() == {}


async def test_cancelling_cancels_the_work() -> None:
    prefetcher = Prefetcher(FakeConsumer())
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def commit() -> Any:
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    task = asyncio.create_task(prefetcher.during(commit()))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert cancelled.is_set()
