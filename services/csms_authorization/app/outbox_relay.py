"""Publishes the events waiting in an outbox (`outbox`) to Kafka, then removes them. One relay per outbox: token
changes (docs/adr/0006) and station credential changes (docs/adr/0021), each with its own lease.

Every instance of the service runs a relay; only the one holding the lease (`lease`) publishes, so in normal
operation each event goes out once, in revision order per token. A pass reads the waiting events of every
shard, publishes them sorted by shard and revision (a token's events share a shard) and removes them only once
Kafka has acknowledged every one. The relay passes at start (publishing whatever a crashed instance left), when
woken after a stored change, and every `poll_s` for changes stored by other instances; after a failure (Kafka
or Cassandra unavailable) it tries again with back-off, the events staying in the outbox meanwhile.

Delivery is at least once: an event is published again when the relay stops between publishing and removing
it, when Kafka acknowledged only part of a pass, or when a relay paused past its lease still finishes a pass
while its successor runs. A consumer may so see an event twice, or an older event of a token after a newer
one; consumers are idempotent by event contents: per token they keep the event with the highest revision.

No I/O of its own: the outbox, lease, event log and clock are injected.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable

from csms_authorization.adapters.store import StoreUnavailable
from csms_authorization.ports import EventLog, EventLogUnavailable, Lease, Outbox, PendingEvent

log = logging.getLogger(__name__)

LEASE_NAME = "token_outbox_relay"
STATION_LEASE_NAME = "station_outbox_relay"


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        lease: Lease,
        events: EventLog,
        *,
        poll_s: float = 1.0,
        lease_s: float = 15.0,
        per_shard: int = 100,
        max_backoff_s: float = 5.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._outbox = outbox
        self._lease = lease
        self._events = events
        self._poll_s = poll_s
        self._lease_s = lease_s
        self._per_shard = per_shard
        self._max_backoff_s = max_backoff_s
        self._monotonic = monotonic
        self._woken = asyncio.Event()
        self._renew_at = 0.0
        self._held_until = 0.0

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
                except (StoreUnavailable, EventLogUnavailable) as exc:
                    failures += 1
                    log.warning("outbox relay failed %d time(s) in a row, retrying: %s", failures, exc)
                    await asyncio.sleep(min(self._max_backoff_s, 0.1 * 2**failures))
                    continue
                if failures:
                    log.info("outbox relay recovered after %d failure(s)", failures)
                    failures = 0
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._woken.wait(), self._poll_s)
        finally:
            await self._release()

    async def relay_pending(self) -> int:
        """While this instance holds the lease (taken or renewed when due): publishes and removes every waiting
        event. Returns how many were published. Raises StoreUnavailable or EventLogUnavailable."""
        published = 0
        while await self._holds_lease():
            events = sorted(await self._outbox.pending(self._per_shard))
            if events:
                await self._events.publish(events)
                await self._outbox.remove(events)
                published += len(events)
            if not self._more(events):
                break
        return published

    def _more(self, events: list[PendingEvent]) -> bool:
        """Whether a shard came back full, so that it may hold more."""
        return any(n >= self._per_shard for n in Counter(e.shard for e in events).values())

    async def _holds_lease(self) -> bool:
        started = self._monotonic()
        if started >= self._renew_at:
            held = await self._lease.acquire()
            self._held_until = started + self._lease_s if held else 0.0
            self._renew_at = started + self._lease_s / 3
        return self._monotonic() < self._held_until

    async def _release(self) -> None:
        if self._monotonic() >= self._held_until:
            return
        self._held_until = 0.0
        try:
            await asyncio.wait_for(self._lease.release(), timeout=5.0)
        except (StoreUnavailable, TimeoutError) as exc:
            log.warning("outbox relay lease not released (it expires by itself): %s", exc)
