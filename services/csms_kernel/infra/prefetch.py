"""Keeps an aiokafka consumer fetching while a consume loop commits.

aiokafka sends no fetch request to a broker while records it fetched from it wait to be consumed. A loop that
polls, handles, then commits (a transaction, an offset commit) therefore leaves every record that becomes
visible during the commit unfetched until its next poll, and that poll returns only the older buffered
records: such a record waits up to two extra commit cycles. `Prefetcher.during(work)` takes fetched records
while `work` runs, so the fetcher keeps going; the loop handles them next (`take()`), in partition order.
Callers commit explicit offsets: the consumer's position includes the prefetched records. At most `limit`
records are held (e.g. while a failing batch is retried), so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable
from typing import Any, Protocol, TypeVar

from aiokafka import TopicPartition

log = logging.getLogger(__name__)

T = TypeVar("T")
Batch = dict[TopicPartition, list[Any]]


class Polling(Protocol):
    async def getmany(
        self, *partitions: TopicPartition, timeout_ms: int = 0, max_records: int | None = None
    ) -> Batch: ...


class Prefetcher:
    def __init__(
        self, consumer: Polling, *, max_records: int = 500, poll_timeout_ms: int = 200, limit: int = 5000
    ) -> None:
        self._consumer = consumer
        self._max_records = max_records
        self._poll_timeout_ms = poll_timeout_ms
        self._limit = limit
        self._records: Batch = {}
        self._held = 0

    def take(self) -> Batch:
        """The records taken so far (per partition, in offset order), emptying the buffer."""
        records, self._records, self._held = self._records, {}, 0
        return records

    async def during(self, work: Awaitable[T]) -> T:
        """Awaits `work` while taking fetched records; its result or exception is passed on, the records are
        kept either way. A failing poll only stops the prefetching (the loop's next poll meets the error)."""
        task = asyncio.ensure_future(work)
        try:
            while not task.done() and self._held < self._limit:
                poll = asyncio.ensure_future(
                    self._consumer.getmany(timeout_ms=self._poll_timeout_ms, max_records=self._max_records)
                )
                await asyncio.wait({task, poll}, return_when=asyncio.FIRST_COMPLETED)
                if poll.cancel():  # still waiting: no record was taken from the consumer
                    with contextlib.suppress(asyncio.CancelledError):
                        await poll
                    continue
                if poll.exception() is not None:
                    log.warning("prefetching stopped: %r", poll.exception())
                    break
                for tp, records in poll.result().items():
                    self._records.setdefault(tp, []).extend(records)
                    self._held += len(records)
        except asyncio.CancelledError:
            task.cancel()
            raise
        return await task
