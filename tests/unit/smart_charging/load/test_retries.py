"""When an incomplete site is recomputed again: a capped exponential backoff per site, started over once a
recompute of the site ends complete; `run` retries each site when it is due."""

from __future__ import annotations

import asyncio
import contextlib

from csms_smart_charging.load.app.retries import SiteRetries
from kit.waiting import eventually


def test_the_delay_doubles_up_to_the_cap_and_starts_over_once_complete() -> None:
    now = [0.0]
    retries = SiteRetries(initial_s=2.0, maximum_s=8.0, clock=lambda: now[0], rand=lambda: 1.0)
    assert [retries.incomplete("S") for _ in range(5)] == [2.0, 4.0, 8.0, 8.0, 8.0]
    assert retries.incomplete("T") == 2.0
    assert retries.pending == {"S": 8.0, "T": 2.0}
    retries.complete("S")
    assert retries.pending == {"T": 2.0} and retries.incomplete("S") == 2.0


def test_only_the_sites_due_are_taken() -> None:
    now = [10.0]
    retries = SiteRetries(initial_s=1.0, maximum_s=4.0, clock=lambda: now[0], rand=lambda: 1.0)
    retries.incomplete("S")
    retries.incomplete("T")
    retries.incomplete("T")
    assert retries.take_due() == []
    now[0] = 11.0
    assert retries.take_due() == ["S"] and retries.pending == {"T": 12.0}
    now[0] = 12.0
    assert retries.take_due() == ["T"] and retries.pending == {}


async def test_run_retries_each_site_when_due_until_it_completes() -> None:
    retries = SiteRetries(initial_s=0.01, maximum_s=0.04)
    attempts: list[str] = []

    async def retry(site_id: str) -> None:
        attempts.append(site_id)
        if attempts.count(site_id) < 3:
            retries.incomplete(site_id)
        else:
            retries.complete(site_id)

    running = asyncio.create_task(retries.run(retry))

    async def seen() -> tuple[list[str], dict[str, float]]:
        return sorted(attempts), retries.pending

    try:
        retries.incomplete("S")
        await asyncio.sleep(0)
        retries.incomplete("T")
        await eventually(seen, lambda found: found == (["S", "S", "S", "T", "T", "T"], {}), timeout_s=5.0)
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
