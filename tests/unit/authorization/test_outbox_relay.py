"""The token outbox and its relay over in-memory fakes: a change is stored with its event, and the relay
publishes what waits (after a crash, after Kafka was down), in order per token, only while it holds the lease."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta

import pytest

from csms.authorization.v1 import authorization_pb2 as pb
from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.tokens import TokenDraft, TokenStatus, TokenType
from csms_kernel.outbox.relay import EventLogUnavailable, OutboxRelay
from kit.builders.authorization_grpc import Clock
from kit.fakes.authorization import InMemoryLocalListStore, InMemoryTokenStore, RecordingEventLog
from kit.fakes.outbox import FakeLease
from kit.waiting import eventually


def draft(id_token: str, **fields: object) -> TokenDraft:
    values: dict[str, object] = {
        "id_token": id_token,
        "type": TokenType.ISO14443,
        "status": TokenStatus.ACCEPTED,
        "expires_at": None,
        "group_id_token": None,
        "station_ids": frozenset(),
        "local_list": False,
    }
    values.update(fields)
    return TokenDraft(**values)  # type: ignore[arg-type]


def kinds(events: list[pb.AuthorizationEvent]) -> list[tuple[str, str | None]]:
    return [(e.id_token_key, e.WhichOneof("event")) for e in events]


class ManualTime:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def tokens() -> InMemoryTokenStore:
    return InMemoryTokenStore()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def service(tokens: InMemoryTokenStore, clock: Clock, changed: Callable[[], None] = lambda: None) -> TokenService:
    return TokenService(tokens, InMemoryLocalListStore(), clock, changed)


@pytest.fixture
async def running() -> AsyncIterator[Callable[[OutboxRelay], asyncio.Task[None]]]:
    """Starts relays' `run()`; cancels them at the end."""
    tasks: list[asyncio.Task[None]] = []

    def start(relay: OutboxRelay) -> asyncio.Task[None]:
        tasks.append(asyncio.create_task(relay.run()))
        return tasks[-1]

    yield start
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_change_is_stored_with_its_event_and_not_published_by_the_request(
    tokens: InMemoryTokenStore, clock: Clock
) -> None:
    woken: list[bool] = []
    created, record = await service(tokens, clock, lambda: woken.append(True)).upsert(draft("a-1"))
    assert created and tokens.records == {"A-1": record}
    (waiting,) = tokens.outbox.events
    event = pb.AuthorizationEvent.FromString(waiting.event)
    assert (waiting.key, event.id_token_key, event.WhichOneof("event")) == ("A-1", "A-1", "id_token_added")
    assert waiting.revision == event.revision
    assert woken == [True]


async def test_when_the_store_is_down_neither_the_change_nor_its_event_is_kept(
    tokens: InMemoryTokenStore, clock: Clock
) -> None:
    tokens.outbox.down = True
    with pytest.raises(StoreUnavailable):
        await service(tokens, clock).upsert(draft("a-1"))
    assert tokens.records == {}
    tokens.outbox.down = False
    assert await tokens.outbox.pending(10) == []


async def test_events_left_by_a_crash_are_published_when_the_next_relay_starts(
    tokens: InMemoryTokenStore, clock: Clock, running: Callable[[OutboxRelay], asyncio.Task[None]]
) -> None:
    tokens_service = service(tokens, clock)  # its process "crashes" before any relay ran
    await tokens_service.upsert(draft("a-1"))
    await tokens_service.block("a-1")
    await tokens_service.delete("a-1")
    events = RecordingEventLog()

    running(OutboxRelay(tokens.outbox, FakeLease(), events, poll_s=3600))

    await eventually(lambda: asyncio.sleep(0, events.published), lambda p: len(p) == 3, timeout_s=5)
    assert kinds(events.published) == [
        ("A-1", "id_token_added"),
        ("A-1", "id_token_blocked"),
        ("A-1", "id_token_deleted"),
    ]
    assert tokens.outbox.events == set()


async def test_while_kafka_is_down_events_wait_and_go_out_when_it_is_back(
    tokens: InMemoryTokenStore, clock: Clock, running: Callable[[OutboxRelay], asyncio.Task[None]]
) -> None:
    tokens_service = service(tokens, clock)
    await tokens_service.upsert(draft("a-1"))
    await tokens_service.upsert(draft("a-1", status=TokenStatus.BLOCKED))
    events = RecordingEventLog(failures=1, appended_before_failing=1)  # Kafka took only the first one
    relay = OutboxRelay(tokens.outbox, FakeLease(), events, poll_s=3600, max_backoff_s=0.01)
    with pytest.raises(EventLogUnavailable):
        await relay.relay_pending()
    assert len(tokens.outbox.events) == 2  # nothing removed

    events.failures, events.appended_before_failing = 3, 0  # then Kafka is down for three more passes
    running(relay)

    await eventually(lambda: asyncio.sleep(0, tokens.outbox.events), lambda waiting: not waiting, timeout_s=10)
    # At least once: the first event went out again with the second.
    assert kinds(events.published) == [("A-1", "id_token_added")] * 2 + [("A-1", "id_token_updated")]
    assert events.failures == 0


async def test_a_failed_removal_publishes_the_events_again(tokens: InMemoryTokenStore, clock: Clock) -> None:
    await service(tokens, clock).upsert(draft("a-1"))
    events = RecordingEventLog()
    relay = OutboxRelay(tokens.outbox, FakeLease(), events)
    remove = tokens.outbox.remove

    async def cassandra_down(*_: object) -> None:
        raise StoreUnavailable("cassandra down")

    tokens.outbox.remove = cassandra_down  # type: ignore[method-assign]
    with pytest.raises(StoreUnavailable):
        await relay.relay_pending()
    tokens.outbox.remove = remove  # type: ignore[method-assign]
    assert await relay.relay_pending() == 1
    assert kinds(events.published) == [("A-1", "id_token_added")] * 2
    assert tokens.outbox.events == set()


async def test_order_per_token_is_kept_across_passes_and_shards(tokens: InMemoryTokenStore, clock: Clock) -> None:
    tokens_service = service(tokens, clock)
    expected: dict[str, list[int]] = {}
    for step in range(6):
        for i in range(12):
            clock.now += timedelta(microseconds=1) if i % 2 else timedelta(0)  # some changes share a clock reading
            await tokens_service.upsert(draft(f"t-{i}", group_id_token=f"G{step}"))
            expected.setdefault(f"T-{i}", []).append(step)
    events = RecordingEventLog()

    published = await OutboxRelay(tokens.outbox, FakeLease(), events, per_shard=2).relay_pending()

    assert published == 72 and tokens.outbox.events == set()
    steps: dict[str, list[int]] = {}
    revisions: dict[str, list[int]] = {}
    for event in events.published:
        record = event.id_token_updated.token if event.HasField("id_token_updated") else event.id_token_added.token
        steps.setdefault(event.id_token_key, []).append(int(record.group_id_token[1:]))
        revisions.setdefault(event.id_token_key, []).append(event.revision)
    assert steps == expected
    assert all(r == sorted(set(r)) for r in revisions.values())


async def test_only_the_holder_of_the_lease_publishes(tokens: InMemoryTokenStore, clock: Clock) -> None:
    await service(tokens, clock).upsert(draft("a-1"))
    lease, events, time = FakeLease(held=False), RecordingEventLog(), ManualTime()
    relay = OutboxRelay(tokens.outbox, lease, events, lease_s=15, monotonic=time)

    assert await relay.relay_pending() == 0
    lease.held = True
    time.now += 4
    assert await relay.relay_pending() == 0  # not asked again before a third of the lease's time
    assert lease.acquired == 1
    time.now += 1
    assert await relay.relay_pending() == 1
    assert (lease.acquired, len(events.published)) == (2, 1)


async def test_a_lease_that_cannot_be_renewed_stops_publishing_when_it_runs_out(
    tokens: InMemoryTokenStore, clock: Clock
) -> None:
    lease, events, time = FakeLease(), RecordingEventLog(), ManualTime()
    relay = OutboxRelay(tokens.outbox, lease, events, lease_s=15, monotonic=time)
    assert await relay.relay_pending() == 0  # takes the lease
    tokens_service = service(tokens, clock)

    async def cassandra_down() -> bool:
        raise StoreUnavailable("cassandra down")

    lease.acquire = cassandra_down  # type: ignore[method-assign]
    await tokens_service.upsert(draft("a-1"))
    time.now += 14
    with pytest.raises(StoreUnavailable):  # renewal due, and failed
        await relay.relay_pending()
    assert len(tokens.outbox.events) == 1

    lease.acquire = FakeLease(held=False).acquire  # type: ignore[method-assign]
    time.now += 1
    assert await relay.relay_pending() == 0  # another instance has it now
    assert events.published == []


async def test_a_stored_change_wakes_the_relay(
    tokens: InMemoryTokenStore, clock: Clock, running: Callable[[OutboxRelay], asyncio.Task[None]]
) -> None:
    events = RecordingEventLog()
    relay = OutboxRelay(tokens.outbox, FakeLease(), events, poll_s=3600)
    running(relay)
    await asyncio.sleep(0)  # the first pass finds nothing; the next poll would be an hour later

    await service(tokens, clock, relay.wake).upsert(draft("a-1"))

    await eventually(lambda: asyncio.sleep(0, events.published), lambda p: len(p) == 1, timeout_s=5)


async def test_a_stopped_relay_gives_the_lease_up(
    tokens: InMemoryTokenStore, running: Callable[[OutboxRelay], asyncio.Task[None]]
) -> None:
    lease = FakeLease()
    task = running(OutboxRelay(tokens.outbox, lease, RecordingEventLog(), poll_s=3600))
    await eventually(lambda: asyncio.sleep(0, lease.acquired), lambda n: n == 1, timeout_s=5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert lease.released


async def test_a_relay_that_never_held_the_lease_does_not_release_it(
    tokens: InMemoryTokenStore, running: Callable[[OutboxRelay], asyncio.Task[None]]
) -> None:
    lease = FakeLease(held=False)
    task = running(OutboxRelay(tokens.outbox, lease, RecordingEventLog(), poll_s=3600))
    await eventually(lambda: asyncio.sleep(0, lease.acquired), lambda n: n == 1, timeout_s=5)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert not lease.released
