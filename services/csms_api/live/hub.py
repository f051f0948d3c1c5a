"""The shared Kafka tail of one API process: reads the source topics once, decodes each record once, keeps the
recent events in a ring and hands every batch to each subscriber's bounded mailbox.

Batches chain: each starts where the previous ended (`Batch.start`/`end`: the position vector before and
after it, past filtered-out records, control markers and aborted records too), so a subscriber that holds a
position knows exactly which events of a batch it has not had. The ring covers positions from `floor` (the
start of its oldest batch) to `position`; a subscriber whose position is at or past the floor on every
partition joins (`attach`) with the ring's newer batches as backlog. A mailbox that would hold more than its
limit is emptied and marked overflowed, and the hub forgets it: the slow subscriber alone falls back to
reading Kafka itself from its own position; nobody else waits for it.

The tail starts at the end (last stable offsets) of every partition, retries Kafka failures from its own
position, and picks up partitions added to the source topics (from their first offset). Side effects: Kafka
reads through its `LogReader`, one asyncio task between `start` and `stop`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable, Sequence

from aiokafka import TopicPartition

from csms_api.live import metrics
from csms_api.live.events import LiveEvent, event_of
from csms_api.live.log import Fetched, LogReader, PositionsLost
from csms_api.live.positions import Positions, encode

log = logging.getLogger(__name__)

_MAX_RETRY_S = 30.0


class Item:
    """One event of a batch at its partition and offset."""

    __slots__ = ("event", "offset", "tp")

    def __init__(self, tp: TopicPartition, offset: int, event: LiveEvent) -> None:
        self.tp = tp
        self.offset = offset
        self.event = event


class Batch:
    """The events read between two position vectors, in the order subscribers get them."""

    __slots__ = ("_messages", "end", "items", "start")

    def __init__(self, start: Positions, items: Sequence[Item], end: Positions) -> None:
        self.start = start
        self.items = items
        self.end = end
        self._messages: list[bytes] | None = None

    def message(self, index: int) -> bytes:
        """The SSE message of the `index`th event for a subscriber that was at `start`: its id (the position
        vector right after the event) and the event. Made for the whole batch once, when first needed, and
        shared by every subscriber."""
        if self._messages is None:
            running = dict(self.start)
            messages = []
            for item in self.items:
                running[item.tp] = item.offset + 1
                messages.append(b"id: " + encode(running).encode() + b"\n" + item.event.body)
            self._messages = messages
        return self._messages[index]

    def behind(self, positions: Positions) -> bool:
        """Whether `positions` already covers all of this batch."""
        return all(offset <= positions.get(tp, 0) for tp, offset in self.end.items())

    def joined(self, later: Batch) -> Batch:
        """This batch and the next one as one."""
        return Batch(self.start, [*self.items, *later.items], later.end)


def batch_of(start: Positions, fetched: Fetched) -> Batch:
    """The live events among fetched records, as read from `start`."""
    items: list[Item] = []
    for tp, records in fetched.records.items():
        topic = tp.topic
        for record in records:
            event = event_of(topic, record)
            if event is not None:
                items.append(Item(tp, record.offset, event))
    return Batch(start, items, {**start, **fetched.positions})


class Mailbox:
    """The batches waiting for one subscriber, at most `limit` events (empty batches are merged)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._batches: deque[Batch] = deque()
        self._events = 0
        self._wakeup = asyncio.Event()
        self.overflowed = False
        self.closed = False

    def put(self, batch: Batch) -> bool:
        """Queues the batch; False (and the mailbox emptied) when it would exceed the limit (a batch alone may)."""
        if self._batches and self._events + len(batch.items) > self._limit:
            self._batches.clear()
            self._events = 0
            self.overflowed = True
            self._wakeup.set()
            return False
        if not batch.items and self._batches and not self._batches[-1].items:
            self._batches[-1] = self._batches[-1].joined(batch)
        else:
            self._batches.append(batch)
            self._events += len(batch.items)
        self._wakeup.set()
        return True

    def close(self) -> None:
        self.closed = True
        self._wakeup.set()

    async def take(self, timeout_s: float) -> list[Batch]:
        """The queued batches, waiting up to `timeout_s` for one; [] after the timeout, on overflow or close."""
        if not self._batches and not (self.overflowed or self.closed):
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout_s):
                    await self._wakeup.wait()
        batches = list(self._batches)
        self._batches.clear()
        self._events = 0
        return batches


class Hub:
    def __init__(
        self,
        reader: LogReader,
        topics: Sequence[str],
        *,
        ring_events: int,
        queue_events: int,
        partitions_refresh_s: float,
        max_records: int = 500,
        poll_s: float = 1.0,
        retry_s: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._reader = reader
        self._topics = topics
        self._ring_limit = ring_events
        self._queue_events = queue_events
        self._refresh_s = partitions_refresh_s
        self._max_records = max_records
        self._poll_s = poll_s
        self._retry_s = retry_s
        self._clock = clock
        self._ring: deque[Batch] = deque()
        self._ring_events = 0
        self._position: Positions = {}
        self._mailboxes: set[Mailbox] = set()
        self._ready = asyncio.Event()
        self._advanced = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._refreshed_at = 0.0
        self.failure: str | None = None

    @property
    def ready(self) -> bool:
        """Whether the tail is reading (it has its starting positions); `failure` says why the last read failed,
        None once one succeeded."""
        return self._ready.is_set()

    async def wait_ready(self, timeout_s: float) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._ready.wait()
        return self.ready

    @property
    def position(self) -> Positions:
        """Where the tail stands: everything before it has been handed to the subscribers."""
        return self._position

    @property
    def partitions(self) -> list[TopicPartition]:
        return list(self._position)

    @property
    def subscribers(self) -> int:
        return len(self._mailboxes)

    def covers(self, positions: Positions) -> bool:
        """Whether a subscriber at `positions` can join: on every partition, at or past the ring's floor."""
        floor = self._ring[0].start if self._ring else self._position
        return self.ready and all(positions.get(tp, 0) >= offset for tp, offset in floor.items())

    def reached(self, positions: Positions) -> bool:
        """Whether the tail is at or past `positions` on every partition it reads."""
        return self.ready and all(
            offset <= self._position.get(tp, offset) for tp, offset in positions.items() if tp in self._position
        )

    async def wait_reached(self, positions: Positions, timeout_s: float) -> bool:
        """Waits up to `timeout_s` for the tail to reach `positions`."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                while not self.reached(positions):
                    self._advanced.clear()
                    await self._advanced.wait()
        return self.reached(positions)

    def attach(self, positions: Positions) -> tuple[list[Batch], Mailbox] | None:
        """Joins a subscriber at `positions`: the ring's batches it has not fully had, and its mailbox for
        every later batch; None when the ring does not reach back to `positions`."""
        if not self.covers(positions):
            return None
        backlog: list[Batch] = []
        for batch in reversed(self._ring):
            if batch.behind(positions):
                break
            backlog.append(batch)
        backlog.reverse()
        mailbox = Mailbox(self._queue_events)
        self._mailboxes.add(mailbox)
        return backlog, mailbox

    def detach(self, mailbox: Mailbox) -> None:
        self._mailboxes.discard(mailbox)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="live-events-hub")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._drop_subscribers()
        with contextlib.suppress(Exception):
            await self._reader.stop()

    async def _run(self) -> None:
        started = False
        delay = self._retry_s
        while True:
            try:
                if not started:
                    await self._reader.start()
                    started = True
                if not self.ready:
                    await self._begin()
                elif self._clock() >= self._refreshed_at + self._refresh_s:
                    await self._add_partitions()
                fetched = await self._reader.read(self._poll_s, self._max_records)
                for tp, records in fetched.records.items():
                    metrics.TAIL_RECORDS.labels(tp.topic).inc(len(records))
                self._publish(batch_of(self._position, fetched))
                delay = self._retry_s
                self.failure = None
                # A read returns without suspending while records are buffered: let the subscribers take the
                # batch before the next one, or a steady flow would fill every mailbox.
                await asyncio.sleep(0)
            except asyncio.CancelledError:
                raise
            except PositionsLost as lost:
                log.error("live events: %s; restarting the tail at the end, subscribers resume on their own", lost)
                self._ready.clear()
                self._drop_subscribers()
            except Exception as exc:
                self.failure = repr(exc)
                log.exception("live events: reading Kafka failed; retrying in %.0f s from the tail's position", delay)
                await asyncio.sleep(delay)
                delay = min(2 * delay, _MAX_RETRY_S)
                if self.ready:
                    self._reader.seek(self._position)

    async def _begin(self) -> None:
        partitions = await self._reader.partitions(self._topics)
        _, end = await self._reader.bounds(partitions)
        self._reader.seek(end)
        self._ring.clear()
        self._ring_events = 0
        self._position = end
        self._refreshed_at = self._clock()
        self._ready.set()
        log.info("live events: tailing %d partitions of %s", len(end), ", ".join(self._topics))

    async def _add_partitions(self) -> None:
        self._refreshed_at = self._clock()
        added = [tp for tp in await self._reader.partitions(self._topics) if tp not in self._position]
        if not added:
            return
        first, _ = await self._reader.bounds(added)
        position = {**self._position, **first}
        self._reader.seek(position)
        log.info("live events: reading new partitions %s", added)
        self._publish(Batch(self._position, [], position))

    def _publish(self, batch: Batch) -> None:
        if batch.end == batch.start:
            return
        if not batch.items and self._ring and not self._ring[-1].items:
            self._ring[-1] = self._ring[-1].joined(batch)
        else:
            self._ring.append(batch)
            self._ring_events += len(batch.items)
        while self._ring and self._ring_events > self._ring_limit:
            self._ring_events -= len(self._ring.popleft().items)
        self._position = batch.end
        self._advanced.set()
        for mailbox in [mailbox for mailbox in self._mailboxes if not mailbox.put(batch)]:
            self._mailboxes.discard(mailbox)
            metrics.OVERFLOWS.inc()

    def _drop_subscribers(self) -> None:
        for mailbox in self._mailboxes:
            mailbox.close()
        self._mailboxes.clear()
