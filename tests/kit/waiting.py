"""Polling with a deadline, for tests that wait on asynchronous outcomes (never fixed sleeps)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T]], accept: Callable[[T], bool], *, timeout_s: float = 30.0, what: str = ""
) -> T:
    """Calls `probe` until `accept(result)` holds; fails with the last result after `timeout_s`. For outcomes
    behind I/O (backs off up to 0.5 s between probes)."""
    deadline = time.monotonic() + timeout_s
    delay = 0.05
    while True:
        result = await probe()
        if accept(result):
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s}s waiting for {what or 'condition'}; last: {result!r}")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)


def probe(read: Callable[[], T]) -> Callable[[], Awaitable[T]]:
    """A synchronous read of test state as a probe for `eventually`."""

    async def run() -> T:
        return read()

    return run


async def wait_until(predicate: Callable[[], bool], timeout_s: float = 2.0) -> None:
    """Checks `predicate()` every millisecond until it holds; raises TimeoutError after `timeout_s`. For state
    of in-memory fakes, which a few event-loop turns change."""
    async with asyncio.timeout(timeout_s):
        while not predicate():  # noqa: ASYNC110 - polling a plain predicate, bounded by the deadline
            await asyncio.sleep(0.001)
