"""Publishes the events waiting in a service's outbox to Kafka, then removes them (docs/adr/0006).

Every instance of a service runs a relay; only the one holding the lease publishes, so in normal operation each
event goes out once, in order per shard. A pass reads the waiting events of every shard, publishes them sorted
(a key's events share a shard and sort in the order they happened) and removes them only once Kafka has
acknowledged every one. The relay passes at start (publishing whatever a crashed instance left), when woken after
a stored change, and every `poll_s` for changes stored by other instances; after a failure (Kafka or Cassandra
unavailable) it tries again with back-off, the events staying in the outbox meanwhile.

Delivery is at least once: an event is published again when the relay stops between publishing and removing
it, when Kafka acknowledged only part of a pass, or when a relay paused past its lease still finishes a pass
while its successor runs. Consumers are idempotent by event contents.

No I/O of its own: the outbox, lease, event log and clock are injected. `LeaseKeeper` is the lease handling the
relay shares with other jobs one instance does for the whole service.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from csms_kernel.infra.cassandra import TRANSIENT_ERRORS
from csms_kernel.ocpp.errors import RetryableError

log = logging.getLogger(__name__)


class EventLogUnavailable(Exception):
    """Kafka did not acknowledge every event; some may have been appended."""


UNAVAILABLE: tuple[type[BaseException], ...] = (RetryableError, EventLogUnavailable, *TRANSIENT_ERRORS)
"""The failures a relay pass waits out (the store or Kafka not answering)."""

_RELEASE_FAILURES: tuple[type[BaseException], ...] = (*UNAVAILABLE, TimeoutError)


class OutboxEvent(Protocol):
    """An event waiting in an outbox: its shard, its Kafka key and value; events sort in publishing order."""

    @property
    def shard(self) -> int: ...

    @property
    def key(self) -> str: ...

    @property
    def event(self) -> bytes: ...

    def __lt__(self, other: Any, /) -> bool: ...


E = TypeVar("E", bound=OutboxEvent)
E_contra = TypeVar("E_contra", bound=OutboxEvent, contravariant=True)


class Outbox(Protocol[E]):
    async def pending(self, per_shard: int) -> list[E]:
        """Up to `per_shard` waiting events of every shard, the earliest of each."""

    async def remove(self, events: Sequence[E]) -> None:
        """Removes these events (published); removing an event twice is harmless."""


class EventLog(Protocol[E_contra]):
    async def publish(self, events: Sequence[E_contra]) -> None:
        """Appends the events in the order given; returns once every one is acknowledged, else raises
        EventLogUnavailable."""


class Lease(Protocol):
    async def acquire(self) -> bool:
        """Renews the lease when this owner holds it, takes it when nobody does; True when it is held now,
        valid for its time to live counted from before the call."""

    async def release(self) -> None:
        """Gives the lease up if this owner holds it."""


class LeaseKeeper:
    """Whether this instance holds a lease now: taken or renewed when a third of its time has passed, held
    until its time runs out unless renewed."""

    def __init__(self, lease: Lease, lease_s: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lease = lease
        self._lease_s = lease_s
        self._monotonic = monotonic
        self._renew_at = 0.0
        self._held_until = 0.0

    async def held(self) -> bool:
        """Raises the lease's store errors when a renewal is due and fails."""
        started = self._monotonic()
        if started >= self._renew_at:
            held = await self._lease.acquire()
            self._held_until = started + self._lease_s if held else 0.0
            self._renew_at = started + self._lease_s / 3
        return self._monotonic() < self._held_until

    async def run_while_held(self, work: Callable[[], Awaitable[object]], interval_s: float, what: str) -> None:
        """Runs `work` every `interval_s` while this instance holds the lease, until cancelled, waiting out the
        store or Kafka not answering (logged as `what`); gives the lease up on the way out."""
        try:
            while True:
                try:
                    if await self.held():
                        await work()
                except UNAVAILABLE as exc:
                    log.warning("%s failed, trying again in %.1f s: %s", what, interval_s, exc)
                await asyncio.sleep(interval_s)
        finally:
            await self.release()

    async def release(self) -> None:
        """Gives the lease up if held (it expires by itself when the store does not answer)."""
        if self._monotonic() >= self._held_until:
            return
        self._held_until = 0.0
        try:
            await asyncio.wait_for(self._lease.release(), timeout=5.0)
        except _RELEASE_FAILURES as exc:
            log.warning("lease not released (it expires by itself): %s", exc)


class OutboxRelay(Generic[E]):
    def __init__(
        self,
        outbox: Outbox[E],
        lease: Lease,
        events: EventLog[E],
        *,
        poll_s: float = 1.0,
        lease_s: float = 15.0,
        per_shard: int = 100,
        max_backoff_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
        name: str = "outbox relay",
    ) -> None:
        self._outbox = outbox
        self._lease = LeaseKeeper(lease, lease_s, monotonic)
        self._events = events
        self._poll_s = poll_s
        self._per_shard = per_shard
        self._max_backoff_s = max_backoff_s
        self._name = name
        self._woken = asyncio.Event()

    def wake(self) -> None:
        """A change was stored: relay now instead of at the next poll (if this instance holds the lease)."""
        self._woken.set()

    async def run(self) -> None:
        """Relays until cancelled; gives the lease up on the way out."""
        failures = 0
        try:
            while True:
                self._woken.clear()
                try:
                    await self.relay_pending()
                except UNAVAILABLE as exc:
                    failures += 1
                    log.warning("%s failed %d time(s) in a row, retrying: %s", self._name, failures, exc)
                    await asyncio.sleep(min(self._max_backoff_s, 0.1 * 2**failures))
                    continue
                if failures:
                    log.info("%s recovered after %d failure(s)", self._name, failures)
                    failures = 0
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), self._poll_s)
        finally:
            await self._lease.release()

    async def relay_pending(self) -> int:
        """While this instance holds the lease (taken or renewed when due): publishes and removes every waiting
        event. Returns how many were published. Raises the store's errors or EventLogUnavailable."""
        published = 0
        while await self._lease.held():
            events = sorted(await self._outbox.pending(self._per_shard))
            if events:
                await self._events.publish(events)
                await self._outbox.remove(events)
                published += len(events)
            if not self._more(events):
                break
        return published

    def _more(self, events: list[E]) -> bool:
        """Whether a shard came back full, so that it may hold more."""
        return any(n >= self._per_shard for n in Counter(e.shard for e in events).values())
