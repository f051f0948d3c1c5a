"""When to recompute again a site whose last recompute ended incomplete (a lower or a raise refused, failed or
unanswered, e.g. a 1.6 TxProfile that reached the station before its StartTransaction answer): after a capped
exponential backoff with jitter (csms_kernel.infra.backoff), per site, until a recompute of the site ends complete
(`complete`, also when the site's next event led to it) or the site is gone. `run` calls the retry of each site
that is due; the caller serializes it with the site's other work. No I/O of its own."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable

from csms_kernel.infra.backoff import Backoff


class SiteRetries:
    def __init__(
        self,
        *,
        initial_s: float,
        maximum_s: float,
        clock: Callable[[], float] = time.monotonic,
        rand: Callable[[], float] = random.random,
    ) -> None:
        self._initial_s = initial_s
        self._maximum_s = maximum_s
        self._clock = clock
        self._random = rand
        self._backoffs: dict[str, Backoff] = {}
        self._due: dict[str, float] = {}
        self._changed = asyncio.Event()

    def incomplete(self, site_id: str) -> float:
        """Schedules a retry of the site (the next step of its backoff); returns the delay in seconds."""
        backoff = self._backoffs.get(site_id)
        if backoff is None:
            backoff = self._backoffs[site_id] = Backoff(
                initial_s=self._initial_s, maximum_s=self._maximum_s, rand=self._random
            )
        delay = backoff.next()
        self._due[site_id] = self._clock() + delay
        self._changed.set()
        return delay

    def complete(self, site_id: str) -> None:
        """The site's last recompute ended complete (or the site is gone): no retry, its backoff starts over."""
        self._backoffs.pop(site_id, None)
        self._due.pop(site_id, None)

    @property
    def pending(self) -> dict[str, float]:
        """Site id -> when its retry is due (the clock's time)."""
        return dict(self._due)

    def take_due(self) -> list[str]:
        """The sites whose retry is due, no longer pending (their backoff is kept until `complete`)."""
        now = self._clock()
        due = sorted(site_id for site_id, at in self._due.items() if at <= now)
        for site_id in due:
            del self._due[site_id]
        return due

    async def run(self, retry: Callable[[str], Awaitable[None]]) -> None:
        """Runs until cancelled: calls `retry` for each site when it is due (the sites due together concurrently);
        `retry` reports its outcome with `complete` or `incomplete` and must not raise."""
        while True:
            self._changed.clear()
            due = self.take_due()
            if due:
                await asyncio.gather(*(retry(site_id) for site_id in due))
                continue
            wait = min(self._due.values(), default=None)
            timeout = None if wait is None else max(0.0, wait - self._clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout)
