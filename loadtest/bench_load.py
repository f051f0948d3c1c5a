"""Load management benchmark: the allocator's CPU per recomputation, and the time from a session start to the
site's new TxProfiles being handed to the pusher, on one site of 100 EVSEs and on 1,000 sites changing at once.

    .venv/bin/python -m loadtest.bench_load [--sizes 10 100 1000] [--rounds 200] [--sites 1000] [--site-evses 20]

In-process: the pusher answers each profile at once (no gRPC, no station), so the start -> sent figures are the
load manager's own share (allocation, push plan, profiles, lowers before raises); the stack adds device-model's
SendCommand and the station's round trip. Sessions: 3-phase and 1-phase cars, priorities 1-3, a third of them
capped by a lower draw, two groups; every round one session starts on a fully charging site. Prints p50/p99/max.
No side effects.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import time
from collections.abc import Mapping, Sequence
from typing import Any

from csms_smart_charging.load.app.manager import LoadManager, with_demand
from csms_smart_charging.load.domain.allocator import allocate
from csms_smart_charging.load.domain.pushes import plan_pushes
from csms_smart_charging.load.domain.site import Demand, EvseKey, Site
from csms_smart_charging.load.domain.state import SiteState


class AnsweringPusher:
    """Accepts every profile at once; counts them."""

    def __init__(self) -> None:
        self.sent = 0

    async def push(self, station_id: str, evse_id: int, profile: Mapping[str, Any], *, request_key: str) -> bool:
        self.sent += 1
        return True


def site_of(site_id: str, evses: int, rng: random.Random) -> tuple[Site, list[Demand]]:
    site = Site(site_id, limit=8.0 * evses, groups={"north": 5.0 * evses, "south": 5.0 * evses})
    demands = [
        Demand(
            EvseKey(f"{site_id}-CP-{n // 2}", n % 2 + 1),
            active=n < evses - 1,
            phases=rng.choice((1, 3, 3)),
            priority=rng.choice((1, 1, 2, 3)),
            since=float(n),
            group_id=rng.choice((None, "north", "south")),
            cap_a=rng.uniform(6.0, 16.0) if rng.random() < 0.33 else None,
        )
        for n in range(evses)
    ]
    return site, demands


def summary(name: str, seconds: Sequence[float], unit: str = "ms") -> str:
    scale = 1e3 if unit == "ms" else 1e6
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return (
        f"{name:<48} p50 {statistics.median(ordered) * scale:9.1f} {unit}  p99 {p99 * scale:9.1f} {unit}  "
        f"max {ordered[-1] * scale:9.1f} {unit}  (n={len(ordered)})"
    )


def allocator_cpu(sizes: Sequence[int], rounds: int, rng: random.Random) -> None:
    for size in sizes:
        site, demands = site_of("S", size, rng)
        installed = {g.key: g.limit_a for g in allocate(site, demands).grants.values()}
        cpu: list[float] = []
        for _ in range(rounds):
            demands[-1] = Demand(demands[-1].key, active=not demands[-1].active, since=1e9)
            started = time.process_time()
            plan_pushes(installed, allocate(site, demands))
            cpu.append(time.process_time() - started)
        print(summary(f"allocator CPU per recomputation, {size} EVSEs", cpu, "us"))


async def start_to_sent(evses: int, rounds: int, rng: random.Random) -> None:
    pusher = AnsweringPusher()
    manager = LoadManager(pusher, stack_level=1, min_raise_a=0.0)
    site, demands = site_of("S", evses, rng)
    state = SiteState(site)
    for demand in demands:
        with_demand(state, demand, f"tx-{demand.key}" if demand.active else None)
    await manager.recompute(state)
    latencies: list[float] = []
    for _ in range(rounds):
        last = demands[-1]
        toggled = Demand(last.key, active=not state.demands[last.key].active, since=1e9)
        started = time.perf_counter()
        with_demand(state, toggled, f"tx-{last.key}" if toggled.active else None)
        await manager.recompute(state)
        latencies.append(time.perf_counter() - started)
    print(summary(f"session start/end -> profiles sent, 1 site x {evses}", latencies))


async def many_sites(sites: int, evses: int, rng: random.Random) -> None:
    pusher = AnsweringPusher()
    manager = LoadManager(pusher, stack_level=1, min_raise_a=0.0)
    states = []
    for index in range(sites):
        site, demands = site_of(f"S{index}", evses, rng)
        state = SiteState(site)
        for demand in demands:
            with_demand(state, demand, f"tx-{demand.key}" if demand.active else None)
        states.append(state)
    await asyncio.gather(*(manager.recompute(state) for state in states))
    sent_before = pusher.sent
    started = time.perf_counter()
    cpu_started = time.process_time()

    async def one(state: SiteState) -> float:
        key = max(state.demands)
        with_demand(state, Demand(key, active=True, since=1e9), f"tx-{key}")
        await manager.recompute(state)
        return time.perf_counter() - started

    done = await asyncio.gather(*(one(state) for state in states))
    print(summary(f"session start -> profiles sent, {sites} sites x {evses} at once", done))
    print(
        f"{'':<48} all sent after {max(done) * 1e3:.1f} ms, {pusher.sent - sent_before} profiles, "
        f"{(time.process_time() - cpu_started) * 1e3:.1f} ms CPU"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--site-evses", type=int, default=20)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    allocator_cpu(args.sizes, args.rounds, rng)
    asyncio.run(start_to_sent(100, args.rounds, rng))
    asyncio.run(many_sites(args.sites, args.site_evses, rng))


if __name__ == "__main__":
    main()
