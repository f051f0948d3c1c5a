"""The live event streams against an in-memory log: start now, resume exactly from the ring or through a
catch-up consumer, the switch from catch-up to the shared tail, filters, keepalives, gaps, slow subscribers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from aiokafka import TopicPartition

from csms.envelope.v1 import envelope_pb2
from csms_api.live.events import SOURCE_TOPICS, LiveEvent, event_of
from csms_api.live.filters import EventFilter, GroupCache
from csms_api.live.hub import Hub
from csms_api.live.positions import decode, encode
from csms_api.live.stream import LiveEvents, TailNotReady
from csms_kernel.infra import topics
from kit.builders import live_events as records
from kit.fakes.live_events import FakeLog
from kit.sse import SseMessage, SseParser, parse
from kit.waiting import wait_until

DM = [TopicPartition(topics.DEVICE_MODEL_EVENTS, p) for p in range(2)]
TX = [TopicPartition(topics.TRANSACTIONS_EVENTS, p) for p in range(2)]
FR = [TopicPartition(topics.FRAMES, p) for p in range(2)]


def make_log() -> FakeLog:
    return FakeLog({topic: 2 for topic in SOURCE_TOPICS})


@contextlib.asynccontextmanager
async def running(
    log: FakeLog,
    *,
    ring: int = 1000,
    queue: int = 1000,
    heartbeat_s: float = 15.0,
    max_records: int = 500,
    groups: dict[str, str] | None = None,
    group_of: Callable[[str], Any] | None = None,
    refresh_s: float = 60.0,
) -> AsyncIterator[LiveEvents]:
    async def lookup(station_id: str) -> str | None:
        return (groups or {}).get(station_id)

    hub = Hub(
        log.reader(),
        SOURCE_TOPICS,
        ring_events=ring,
        queue_events=queue,
        partitions_refresh_s=refresh_s,
        max_records=max_records,
        poll_s=0.05,
        retry_s=0.01,
    )
    live = LiveEvents(
        hub, log.reader, GroupCache(group_of or lookup, ttl_s=30, size=100), heartbeat_s=heartbeat_s, max_catch_ups=4
    )
    await live.start()
    try:
        yield live
    finally:
        await live.stop()


class Client:
    """Reads one stream in a task, like the HTTP response does; `close()` cancels it like a disconnect."""

    def __init__(self, live: LiveEvents, event_filter: EventFilter | None = None, last_id: str | None = None) -> None:
        self.parser = SseParser()
        self.messages: list[SseMessage] = []
        self.failure: BaseException | None = None
        resume = decode(last_id) if last_id else None
        self._task = asyncio.create_task(self._read(live.stream(event_filter or EventFilter(), resume)))

    async def _read(self, chunks: AsyncIterator[bytes]) -> None:
        try:
            async for chunk in chunks:
                self.messages += self.parser.feed(chunk)
        except Exception as exc:
            self.failure = exc

    @property
    def events(self) -> list[SseMessage]:
        return [m for m in self.messages if m.is_event and m.event != "gap"]

    @property
    def keys(self) -> list[str]:
        return [key(m) for m in self.events]

    async def opened(self) -> None:
        await wait_until(lambda: any("open" in m.comments for m in self.messages))

    async def has(self, count: int, timeout_s: float = 5.0) -> list[str]:
        await wait_until(lambda: len(self.events) >= count or self.failure is not None, timeout_s)
        return self.keys

    async def close(self) -> str | None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return self.parser.last_event_id


async def next_chunk(chunks: AsyncIterator[bytes]) -> bytes:
    return await anext(chunks)


def key(message: SseMessage) -> str:
    data = json.loads(message.data or "{}")
    return str(data.get("message_id") or data["connection_id"])


def booted(log: FakeLog, tp: TopicPartition, name: str, station_id: str = "CP-1") -> str:
    log.append(tp, records.booted(station_id, name))
    return name


def produce(log: FakeLog, count: int, prefix: str = "e", rng: random.Random | None = None) -> list[str]:
    """`count` events spread over every source topic and partition, with unread offsets and frames between."""
    rng = rng or random.Random(7)
    names = []
    for i in range(count):
        name = f"{prefix}{i}"
        choice = rng.randrange(4)
        if choice == 0:
            log.append(rng.choice(DM), records.status_changed(f"CP-{i % 3}", name))
        elif choice == 1:
            log.append(
                rng.choice(TX),
                records.transaction(rng.choice(["started", "updated", "ended"]), f"CP-{i % 3}", message_id=name),
            )
        else:
            tp = rng.choice(FR)
            log.append(tp, *records.frame("CP-1"))
            value, headers = records.connection(envelope_pb2.KIND_CONNECTED, f"CP-{i % 3}", name)
            log.append(tp, value, headers)
        if rng.random() < 0.3:
            log.skip(rng.choice(DM + TX))
        names.append(name)
    return names


def logged(log: FakeLog) -> dict[str, tuple[TopicPartition, LiveEvent]]:
    """Every event in the log by name, with its partition, in offset order per partition."""
    out: dict[str, tuple[TopicPartition, LiveEvent]] = {}
    for tp in log.partitions_of(SOURCE_TOPICS):
        for offset in range(log.first(tp), log.end(tp)):
            entry = log.entry(tp, offset)
            event = event_of(tp.topic, entry) if entry is not None else None
            if event is not None:
                out[key(parse(event.body)[0])] = (tp, event)
    return out


def in_log_order(log: FakeLog, names: list[str]) -> dict[TopicPartition, list[str]]:
    """The events' names per partition, in offset order (the only order Kafka defines)."""
    wanted = set(names)
    out: dict[TopicPartition, list[str]] = {}
    for name, (tp, _) in logged(log).items():
        if name in wanted:
            out.setdefault(tp, []).append(name)
    return out


def per_partition(log: FakeLog, keys: list[str]) -> dict[TopicPartition, list[str]]:
    where = {name: tp for tp, names in in_log_order(log, keys).items() for name in names}
    out: dict[TopicPartition, list[str]] = {}
    for name in keys:
        out.setdefault(where[name], []).append(name)
    return out


def assert_exactly(log: FakeLog, received: list[str], expected: list[str]) -> None:
    """No repeat, no gap, and each partition's events in offset order."""
    assert len(received) == len(set(received)), "repeated events"
    assert sorted(received) == sorted(expected)
    assert per_partition(log, received) == in_log_order(log, expected)


async def test_a_stream_without_an_id_starts_now() -> None:
    log = make_log()
    booted(log, DM[0], "before")
    async with running(log) as live:
        client = Client(live)
        await client.opened()
        after = [booted(log, DM[0], f"after-{i}") for i in range(3)]
        assert await client.has(3) == after
        await asyncio.sleep(0.1)
        assert client.keys == after
        assert len(log.readers) == 1  # the shared tail only
        await client.close()


async def test_the_open_message_carries_the_starting_position() -> None:
    log = make_log()
    booted(log, DM[1], "old")
    log.skip(TX[0], 3)
    async with running(log) as live:
        client = Client(live)
        await client.opened()
        assert client.parser.last_event_id is not None
        assert decode(client.parser.last_event_id) == {tp: log.end(tp) for tp in DM + TX + FR}
        await client.close()


async def test_each_event_id_resumes_right_after_it_from_the_ring() -> None:
    log = make_log()
    async with running(log) as live:
        first = Client(live)
        await first.opened()
        names = produce(log, 30)
        await first.has(30)
        assert_exactly(log, first.keys, names)
        for index in (0, 7, 29):
            resumed = Client(live, last_id=first.events[index].id)
            expected = first.keys[index + 1 :]
            if expected:
                await resumed.has(len(expected))
            await resumed.opened()
            await asyncio.sleep(0.05)
            assert resumed.keys == expected
            await resumed.close()
        assert len(log.readers) == 1, "served from the ring, without a consumer of their own"
        await first.close()


async def test_a_position_older_than_the_ring_catches_up_then_joins_the_tail() -> None:
    log = make_log()
    async with running(log, ring=3) as live:
        first = Client(live)
        await first.opened()
        start = first.parser.last_event_id
        names = produce(log, 40)
        await first.has(40)
        late = Client(live, last_id=start)
        await late.has(40)
        assert_exactly(log, late.keys, names)
        await wait_until(lambda: live.hub.subscribers == 2)
        catch_up = log.readers[-1]
        assert len(log.readers) == 2 and catch_up.stopped, "caught up through its own consumer, then let it go"
        more = produce(log, 10, prefix="m")
        await late.has(50)
        await asyncio.sleep(0.1)
        assert_exactly(log, late.keys, names + more)
        assert len(log.readers) == 2
        await late.close()
        await first.close()


async def test_the_switch_from_catch_up_to_the_tail_under_a_steady_flow_loses_and_repeats_nothing() -> None:
    log = make_log()
    async with running(log, ring=5, max_records=7) as live:
        watcher = Client(live)
        await watcher.opened()
        start = watcher.parser.last_event_id
        names = produce(log, 200, prefix="a")
        produced: list[str] = list(names)
        await watcher.has(200)  # the ring (5 events) no longer reaches back to the start

        async def keep_producing() -> None:
            rng = random.Random(11)
            for i in range(60):
                produced.extend(produce(log, 3, prefix=f"b{i}-", rng=rng))
                await asyncio.sleep(0.002)

        producer = asyncio.create_task(keep_producing())
        late = Client(live, last_id=start)
        await producer
        await late.has(len(produced), timeout_s=10)
        await asyncio.sleep(0.1)
        assert_exactly(log, late.keys, produced)
        assert live.hub.subscribers == 2
        assert len(log.readers) == 2 and log.readers[1].stopped, "it caught up through its own consumer"
        await late.close()
        await watcher.close()


async def test_a_catch_up_ahead_of_the_tail_joins_it_and_skips_what_it_already_sent() -> None:
    log = make_log()
    before = produce(log, 5, prefix="old")
    async with running(log, ring=0) as live:
        hub_reader = log.readers[0]
        await wait_until(lambda: live.hub.ready)
        hub_reader.paused = True
        live_now = Client(live)
        await live_now.opened()
        during = produce(log, 10, prefix="new")
        late = Client(live, last_id=encode({tp: 0 for tp in log.partitions_of(SOURCE_TOPICS)}))
        await late.has(15)
        await wait_until(lambda: live.hub.subscribers == 2)
        assert_exactly(log, late.keys, before + during)
        assert live_now.keys == []
        hub_reader.paused = False
        await live_now.has(10)
        after = produce(log, 3, prefix="after")
        await late.has(18)
        await live_now.has(13)
        await asyncio.sleep(0.1)
        assert_exactly(log, late.keys, before + during + after)
        assert_exactly(log, live_now.keys, during + after)
        await late.close()
        await live_now.close()


@pytest.mark.parametrize(
    "event_filter", [EventFilter(), EventFilter.of(["CP-1", "CP-2"], [], ["transaction.", "station."])]
)
async def test_disconnecting_and_resuming_again_and_again_gives_every_event_once(event_filter: EventFilter) -> None:
    log = make_log()
    rng = random.Random(5)
    async with running(log, ring=20, max_records=5) as live:
        client = Client(live, event_filter)
        await client.opened()
        last_id = client.parser.last_event_id
        received: list[str] = []
        produced: list[str] = []
        for round_ in range(12):
            produced += produce(log, rng.randrange(1, 25), prefix=f"r{round_}-", rng=rng)
            await asyncio.sleep(rng.choice([0, 0.005, 0.02]))
            received += client.keys
            last_id = await client.close() or last_id
            client = Client(live, event_filter, last_id)
        expected = [m for m in produced if admitted(log, m, event_filter)]
        await client.has(len(expected) - len(received), timeout_s=10)
        await asyncio.sleep(0.1)
        received += client.keys
        assert_exactly(log, received, expected)
        await client.close()


def admitted(log: FakeLog, name: str, event_filter: EventFilter) -> bool:
    return event_filter.admits(logged(log)[name][1])


async def test_a_filtered_stream_moves_its_position_past_what_it_filters_out() -> None:
    log = make_log()
    async with running(log, heartbeat_s=0.05) as live:
        client = Client(live, EventFilter.of(["CP-1"], [], []))
        await client.opened()
        opened_at = client.parser.last_event_id
        for i in range(10):
            booted(log, DM[i % 2], f"other-{i}", station_id="CP-2")
        await wait_until(lambda: client.parser.last_event_id != opened_at)
        keepalive = next(m for m in client.messages if "keepalive" in m.comments and m.id)
        assert keepalive.data is None
        assert decode(keepalive.id or "")[DM[0]] == log.end(DM[0])
        assert decode(keepalive.id or "")[DM[1]] == log.end(DM[1])
        assert client.events == []
        await client.close()


async def test_keepalives_without_news_carry_no_id() -> None:
    log = make_log()
    async with running(log, heartbeat_s=0.05) as live:
        client = Client(live)
        await client.opened()
        await wait_until(lambda: sum("keepalive" in m.comments for m in client.messages) >= 2)
        assert [m.id for m in client.messages if "keepalive" in m.comments][:2] == [None, None]
        await client.close()


async def test_a_slow_subscriber_does_not_hold_back_the_others_and_still_misses_nothing() -> None:
    log = make_log()
    async with running(log, ring=1000, queue=10, max_records=5) as live:
        slow = live.stream(EventFilter(), None)
        assert b": open" in await anext(slow)
        first = asyncio.create_task(next_chunk(slow))  # joins the tail, then stops reading after its first chunk
        await wait_until(lambda: live.hub.subscribers == 1)
        fast = Client(live)
        await fast.opened()
        names = produce(log, 60)
        await fast.has(60)
        assert_exactly(log, fast.keys, names)
        assert live.hub.subscribers == 1, "the slow one was dropped from the tail"
        parser = SseParser()
        got = parser.feed(await first)
        while len([m for m in got if m.is_event]) < 60:
            got += parser.feed(await asyncio.wait_for(anext(slow), 5))
        assert_exactly(log, [key(m) for m in got if m.is_event], names)
        assert len(log.readers) == 1, "the ring still covered it: no consumer of its own"
        await slow.aclose()
        await fast.close()


async def test_a_slow_subscriber_past_the_ring_catches_up_through_its_own_consumer() -> None:
    log = make_log()
    async with running(log, ring=5, queue=10, max_records=5) as live:
        slow = live.stream(EventFilter(), None)
        await anext(slow)
        first = asyncio.create_task(next_chunk(slow))
        await wait_until(lambda: live.hub.subscribers == 1)
        names = produce(log, 60)
        await wait_until(lambda: live.hub.subscribers == 0)
        parser = SseParser()
        got = parser.feed(await first)
        while len([m for m in got if m.is_event]) < 60:
            got += parser.feed(await asyncio.wait_for(anext(slow), 5))
        assert_exactly(log, [key(m) for m in got if m.is_event], names)
        assert len(log.readers) == 2
        await slow.aclose()


async def test_an_id_older_than_retention_resumes_from_the_first_kept_event_after_a_gap_message() -> None:
    log = make_log()
    async with running(log, ring=0) as live:
        client = Client(live)
        await client.opened()
        start = client.parser.last_event_id
        names = [booted(log, DM[0], f"e{i}") for i in range(10)]
        await client.has(10)
        await client.close()
        log.retain_from(DM[0], 6)
        resumed = Client(live, last_id=start)
        await resumed.has(4)
        gap = next(m for m in resumed.messages if m.is_event)
        assert gap.event == "gap"
        assert json.loads(gap.data or "")["partitions"] == [
            {"topic": DM[0].topic, "partition": 0, "requested": 0, "resumed_from": 6, "reason": "retention"}
        ]
        assert resumed.keys == names[6:]
        again = Client(live, last_id=gap.id)
        await again.has(4)
        assert all(m.event != "gap" for m in again.messages)
        assert again.keys == names[6:]
        await resumed.close()
        await again.close()


async def test_a_position_past_the_end_of_a_partition_restarts_it_from_its_first_event() -> None:
    log = make_log()
    names = [booted(log, DM[1], f"e{i}") for i in range(3)]
    async with running(log) as live:
        forged = encode({**{tp: log.end(tp) for tp in DM + TX + FR}, DM[1]: 50})
        client = Client(live, last_id=forged)
        await client.has(3)
        gap = next(m for m in client.messages if m.is_event)
        assert json.loads(gap.data or "")["partitions"][0]["reason"] == "unknown position"
        assert client.keys == names
        await client.close()


async def test_transaction_markers_and_aborted_records_are_stepped_over() -> None:
    log = make_log()
    async with running(log) as live:
        client = Client(live)
        await client.opened()
        log.skip(DM[0], 2)
        booted(log, DM[0], "a")
        log.skip(DM[0], 3)
        booted(log, DM[0], "b")
        log.skip(DM[0])
        await client.has(2)
        assert client.keys == ["a", "b"]
        assert decode(client.events[0].id or "")[DM[0]] == 3
        assert decode(client.events[1].id or "")[DM[0]] == 7
        resumed = Client(live, last_id=client.events[0].id)
        await resumed.has(1)
        assert resumed.keys == ["b"]
        await resumed.close()
        await client.close()


async def test_partitions_added_to_a_source_topic_are_read_from_their_start() -> None:
    log = make_log()
    async with running(log, refresh_s=0.0) as live:
        client = Client(live)
        await client.opened()
        log.add_partitions(topics.DEVICE_MODEL_EVENTS, 1)
        added = TopicPartition(topics.DEVICE_MODEL_EVENTS, 2)
        booted(log, added, "in-new-partition")
        await client.has(1)
        assert client.keys == ["in-new-partition"]
        assert decode(client.events[0].id or "")[added] == 1
        await client.close()


async def test_a_group_filter_uses_the_stations_current_group() -> None:
    log = make_log()
    async with running(log, groups={"CP-1": "FLEET", "CP-2": "OTHER"}) as live:
        client = Client(live, EventFilter.of([], ["FLEET"], []))
        await client.opened()
        for i in range(6):
            booted(log, DM[i % 2], f"e{i}", station_id=f"CP-{1 + i % 3}")
        await client.has(2)
        await asyncio.sleep(0.05)
        assert client.keys == ["e0", "e3"]
        await client.close()


async def test_a_failing_group_lookup_ends_the_stream_and_the_client_resumes_where_it_was() -> None:
    log = make_log()
    failing = True

    async def group_of(station_id: str) -> str | None:
        if failing and station_id == "CP-2":
            raise ConnectionError("registry down")
        return "FLEET"

    async with running(log, group_of=group_of) as live:
        client = Client(live, EventFilter.of([], ["FLEET"], []))
        await client.opened()
        booted(log, DM[0], "e0", station_id="CP-1")
        await client.has(1)
        booted(log, DM[0], "e1", station_id="CP-2")
        await wait_until(lambda: client.failure is not None)
        failing = False
        resumed = Client(live, EventFilter.of([], ["FLEET"], []), client.parser.last_event_id)
        await resumed.has(1)
        assert resumed.keys == ["e1"]
        await resumed.close()


async def test_the_tail_retries_a_failing_read_from_its_own_position() -> None:
    log = make_log()
    async with running(log) as live:
        client = Client(live)
        await client.opened()
        log.readers[0].failing_reads = 2
        names = produce(log, 20)
        await client.has(20)
        assert_exactly(log, client.keys, names)
        await client.close()


async def test_stopping_ends_every_stream() -> None:
    log = make_log()
    async with running(log) as live:
        client = Client(live)
        await client.opened()
        await wait_until(lambda: live.hub.subscribers == 1)
    await asyncio.wait_for(client._task, 2)
    assert client.failure is None


async def test_the_readiness_check_follows_the_tail() -> None:
    log = make_log()
    async with running(log) as live:
        await live.check(1.0)
        log.readers[0].failing_reads = 1000
        await wait_until(lambda: live.hub.failure is not None)
        with pytest.raises(TailNotReady, match="broker unreachable"):
            await live.check(0.1)
        log.readers[0].failing_reads = 0
        await wait_until(lambda: live.hub.failure is None, timeout_s=5)
        await live.check(0.1)


async def test_when_the_tail_loses_its_position_its_streams_end_and_their_clients_resume_with_a_gap() -> None:
    log = make_log()
    async with running(log) as live:
        client = Client(live)
        await client.opened()
        first = booted(log, DM[0], "e0")
        await client.has(1)
        log.readers[0].paused = True
        lost = [booted(log, DM[0], f"lost{i}") for i in range(5)]
        kept = booted(log, DM[0], "kept")
        log.retain_from(DM[0], 6)  # deleted before the tail read them (a recreated topic, an unclean election)
        log.readers[0].paused = False
        await asyncio.wait_for(client._task, 5)  # the tail restarted at the end and closed its streams
        assert client.keys == [first]
        resumed = Client(live, last_id=client.parser.last_event_id)
        await resumed.has(1)
        assert resumed.keys == [kept]
        gap = next(m for m in resumed.messages if m.is_event)
        assert gap.event == "gap"
        assert json.loads(gap.data or "")["partitions"][0]["resumed_from"] == 6
        assert lost and live.hub.position[DM[0]] == 7
        await resumed.close()
