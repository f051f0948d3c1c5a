"""One client's live event stream, resumable exactly, and `LiveEvents`, what an API process serves them from.

A stream holds the client's position vector: every record before it has been sent to the client or filtered
out. Each event goes out with `id:` = the vector right after it, so `Last-Event-ID` resumes with no gap and no
repeat. A stream without an id starts where the shared tail stands (now). A stream with one joins the shared
tail when the tail's ring reaches back to its position; otherwise it first catches up through a Kafka consumer
of its own (at most `max_catch_ups` at a time per process), from its position until the ring covers it, then
joins: events below its position on a partition are skipped, so the switch repeats nothing and misses nothing.
A position Kafka no longer has (retention) or never had (a recreated topic) is moved to the partition's first
offset, and the client is told in an `event: gap` message before anything else. A client too slow for the shared
tail (its mailbox overflowed) continues the same way from its own position.
Keepalive comments go out after `heartbeat_s` without an event; one carries `id:` when the position moved past
filtered-out records since the last id, so a filtered client that resumes does not read them again.
Side effects: Kafka consumers of catch-ups; group lookups through the `GroupCache`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Sequence

import msgspec
from aiokafka import TopicPartition

from csms_api.live import metrics
from csms_api.live.config import LiveEventsSettings
from csms_api.live.events import SOURCE_TOPICS, LiveEvent
from csms_api.live.filters import EventFilter, GroupCache, GroupOf
from csms_api.live.hub import Batch, Hub, Mailbox, batch_of
from csms_api.live.kafka_log import KafkaLogReader
from csms_api.live.log import LogReader, PositionsLost
from csms_api.live.positions import Positions, encode
from csms_kernel.infra import topics
from csms_kernel.infra.client_security import KafkaSecurity

_RESUME_WAIT_S = 1.0
_MAX_RECORDS = 500


class TailNotReady(Exception):
    pass


class LiveEvents:
    """The live events of one API process: the shared tail, catch-up consumers, the group cache. Start and stop
    it with the process (a lifecycle resource); it is also a readiness check (`name`, `check`)."""

    name = "kafka (live events)"

    def __init__(
        self,
        hub: Hub,
        readers: Callable[[], LogReader],
        groups: GroupCache,
        *,
        heartbeat_s: float,
        max_catch_ups: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.hub = hub
        self.readers = readers
        self.groups = groups
        self.heartbeat_s = heartbeat_s
        self.slots = asyncio.Semaphore(max_catch_ups)
        self.clock = clock

    @property
    def ready(self) -> bool:
        return self.hub.ready

    async def check(self, timeout_s: float) -> None:
        """A readiness check: raises `TailNotReady` unless the shared tail is reading Kafka."""
        if not await self.hub.wait_ready(timeout_s):
            raise TailNotReady(self.hub.failure or "the live events tail has not started reading Kafka yet")
        if self.hub.failure is not None:
            raise TailNotReady(f"the live events tail cannot read Kafka: {self.hub.failure}")

    async def start(self) -> None:
        await self.hub.start()

    async def stop(self) -> None:
        await self.hub.stop()

    def stream(self, event_filter: EventFilter, resume: Positions | None) -> AsyncGenerator[bytes, None]:
        """The SSE bytes for one client, from `resume` (a decoded `Last-Event-ID`) or from now."""
        return EventStream(self, event_filter, resume).chunks()


def kafka_live_events(
    settings: LiveEventsSettings, bootstrap: str, security: KafkaSecurity, group_of: GroupOf, client_id: str
) -> LiveEvents:
    """`LiveEvents` over Kafka: the shared tail and each catch-up read with their own consumer (`client_id`,
    `client_id.catch-up.N`)."""
    sources: Sequence[str] = (
        SOURCE_TOPICS if settings.connection_events else tuple(t for t in SOURCE_TOPICS if t != topics.FRAMES)
    )
    hub = Hub(
        KafkaLogReader(bootstrap, client_id, gather_ms=settings.gather_ms, security=security),
        sources,
        ring_events=settings.ring_events,
        queue_events=settings.subscriber_queue_events,
        partitions_refresh_s=settings.partitions_refresh_s,
    )
    numbers = itertools.count(1)
    return LiveEvents(
        hub,
        lambda: KafkaLogReader(bootstrap, f"{client_id}.catch-up.{next(numbers)}", security=security),
        GroupCache(group_of, ttl_s=settings.group_cache_s, size=settings.group_cache_size),
        heartbeat_s=settings.heartbeat_s,
        max_catch_ups=settings.max_catch_ups,
    )


class _Gap(msgspec.Struct):
    topic: str
    partition: int
    requested: int
    resumed_from: int
    reason: str


def gap_message(gaps: Sequence[_Gap], event_id: str) -> bytes:
    data = {
        "detail": "the stream resumed from the first event Kafka has on these partitions: events after the requested "
        "position are gone (retention) or the partition has no such position (unknown position: the topic was "
        "recreated, or the id is from another cluster)",
        "partitions": gaps,
    }
    return b"event: gap\ndata: " + msgspec.json.encode(data) + b"\nid: " + event_id.encode() + b"\n\n"


class EventStream:
    def __init__(self, live: LiveEvents, event_filter: EventFilter, resume: Positions | None) -> None:
        self._live = live
        self._hub = live.hub
        self._filter = event_filter
        self._resume = resume
        self._position: Positions = resume or {}
        self._announced = encode(resume) if resume is not None else ""  # the client's last id
        self._tick_s = min(1.0, live.heartbeat_s)
        self._joined: tuple[list[Batch], Mailbox] | None = None

    async def chunks(self) -> AsyncGenerator[bytes, None]:
        """The stream's bytes: events, gap notices and keepalives."""
        clock = self._live.clock
        last = clock()
        metrics.STREAMS.inc()
        try:
            async for chunk in self._events():
                now = clock()
                if chunk:
                    yield chunk
                    last = now
                elif now - last >= self._live.heartbeat_s:
                    yield self._keepalive()
                    last = now
        finally:
            metrics.STREAMS.dec()

    def _keepalive(self) -> bytes:
        """A keepalive comment, with the position when it moved since the client's last id."""
        position = encode(self._position)
        if not self._position or position == self._announced:
            return b": keepalive\n\n"
        self._announced = position
        return b": keepalive\nid: " + position.encode() + b"\n\n"

    async def _events(self) -> AsyncIterator[bytes | None]:
        """Chunks to send; None when there was nothing for a while (a keepalive may be due)."""
        if self._resume is not None:
            yield b": open\n\n"
        while not await self._hub.wait_ready(self._tick_s):
            yield None
        if self._resume is None:
            self._position = self._hub.position
            self._announced = encode(self._position)
            yield b": open\nid: " + self._announced.encode() + b"\n\n"
            ahead = False
        else:  # an id given by another API process may be a little ahead of this one's tail
            ahead = not await self._hub.wait_reached(self._position, _RESUME_WAIT_S)
        while True:
            joined = None if ahead else self._hub.attach(self._position)
            ahead = False
            if joined is None:
                async for chunk in self._catch_up():
                    yield chunk
                joined, self._joined = self._joined, None
                if joined is None:
                    continue
            backlog, mailbox = joined
            try:
                chunks = [chunk for batch in backlog for chunk in await self._deliver(batch)]
                if chunks:
                    yield b"".join(chunks)
                while not (mailbox.overflowed or mailbox.closed):
                    batches = await mailbox.take(self._tick_s)
                    chunks = [chunk for batch in batches for chunk in await self._deliver(batch)]
                    yield b"".join(chunks) if chunks else None
            finally:
                self._hub.detach(mailbox)
            if mailbox.closed:
                return

    async def _catch_up(self) -> AsyncIterator[bytes | None]:
        """Reads Kafka from the stream's position until the shared tail covers it; then `_joined` holds the
        attachment (taken before this consumer stops, so the ring cannot move past the position meanwhile)."""
        slots = self._live.slots
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._tick_s):
                    await slots.acquire()
                    break
            yield None
        metrics.CATCH_UPS.inc()
        try:
            reader = self._live.readers()
            try:
                await reader.start()
                partitions = self._hub.partitions
                self._position = {**{tp: 0 for tp in partitions}, **self._position}
                gap = await self._rebase(reader, partitions)
                if gap:
                    yield gap
                reader.seek({tp: self._position[tp] for tp in partitions})
                while (joined := self._hub.attach(self._position)) is None:
                    try:
                        fetched = await reader.read(self._tick_s, _MAX_RECORDS)
                    except PositionsLost as lost:
                        gap = await self._rebase(reader, lost.partitions)
                        reader.seek({tp: self._position[tp] for tp in partitions})
                        if gap:
                            yield gap
                        continue
                    chunks = await self._deliver(batch_of(self._position, fetched))
                    yield b"".join(chunks) if chunks else None
                self._joined = joined
            finally:
                await reader.stop()
        finally:
            slots.release()

    async def _rebase(self, reader: LogReader, partitions: Sequence[TopicPartition]) -> bytes | None:
        """Moves positions Kafka does not have to their partition's first offset; the gap message, if any."""
        first, end = await reader.bounds(partitions)
        gaps: list[_Gap] = []
        position = dict(self._position)
        for tp in partitions:
            at = position.get(tp, 0)
            if at < first[tp] or at > end[tp]:
                reason = "retention" if at < first[tp] else "unknown position"
                gaps.append(_Gap(tp.topic, tp.partition, at, first[tp], reason))
                position[tp] = first[tp]
        if not gaps:
            return None
        self._position = position
        self._announced = encode(position)
        return gap_message(gaps, self._announced)

    async def _admitted(self, event: LiveEvent) -> bool:
        return self._filter.admits(event) and await self._live.groups.group(event.station_id) in self._filter.groups

    async def _deliver(self, batch: Batch) -> list[bytes]:
        """The SSE events of the batch the client has not had and asked for; moves the position past the batch."""
        admits = self._filter.admits
        by_group = bool(self._filter.groups)
        out: list[bytes] = []
        if self._position is batch.start or self._position == batch.start:
            for index, item in enumerate(batch.items):
                if await self._admitted(item.event) if by_group else admits(item.event):
                    out.append(batch.message(index))
            self._position = batch.end
        else:
            position = dict(self._position)
            for item in batch.items:
                if item.offset < position.get(item.tp, 0):
                    continue
                position[item.tp] = item.offset + 1
                if await self._admitted(item.event) if by_group else admits(item.event):
                    out.append(b"id: " + encode(position).encode() + b"\n" + item.event.body)
            for tp, offset in batch.end.items():
                if offset > position.get(tp, 0):
                    position[tp] = offset
            self._position = batch.end if position == batch.end else position
        if out:
            self._announced = out[-1][4 : out[-1].index(b"\n")].decode()
        metrics.DELIVERED.inc(len(out))
        return out
