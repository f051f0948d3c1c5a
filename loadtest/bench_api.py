"""Operator API benchmark against a running stack (`make up`): request latency of a station GET and of a command
round trip at a fixed request rate, with simulated stations connected to answer the commands.

    .venv/bin/python -m loadtest.bench_api [--rate 200] [--duration 60] [--stations 200]

The stations are registered and booted by the station simulator, which keeps a light load of its own (20 CALL/s)
while the API is measured, so commands reach live sockets. Requests arrive open-loop at `rate` per second (a
late answer does not slow the arrivals); latency is from the scheduled send to the full response. The API key
comes from `csms api-keys create` (scope operate). Prints p50/p95/p99/max per phase, errors by status, and the CPU
the API process (and every other stack process) used per request. Side effects: stations SIM-API-*, one key.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from dataclasses import replace as with_changes
from pathlib import Path

import httpx

from csms_cli.settings import CliSettings
from loadtest.procstat import CpuMeter, load_average, stack_pids
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.runner import Simulator

INFRA_DIR = Path(os.environ.get("CSMS_INFRA_DIR") or ".infra")
SIMULATOR_RATE = 20.0
COMMAND_BODY = {"message": "heartbeat"}


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    failures: Counter[str] = field(default_factory=Counter)
    details: dict[str, str] = field(default_factory=dict)

    def report(self, duration_s: float, cpu: dict[str, float]) -> str:
        done = sorted(self.latencies_ms)
        requests = len(done) + sum(self.failures.values())

        def at(q: float) -> float:
            return done[min(len(done) - 1, int(q * len(done)))] if done else float("nan")

        lines = [
            f"{self.name}: {requests} requests in {duration_s:.0f} s ({requests / duration_s:.1f}/s), "
            f"{len(done)} ok, failures {dict(self.failures) or 'none'}",
            *(f"  first {status}: {detail}" for status, detail in self.details.items()),
            f"  latency ms: p50 {at(0.50):.1f}, p95 {at(0.95):.1f}, p99 {at(0.99):.1f}, max {at(1.0):.1f}",
        ]
        per_request = {name: 1000 * seconds / max(requests, 1) for name, seconds in cpu.items() if seconds > 0}
        lines.append(
            "  CPU ms per request: "
            + ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(per_request.items(), key=lambda kv: -kv[1]))
        )
        return "\n".join(lines)


def create_key() -> str:
    csms = Path(sys.executable).with_name("csms")
    done = subprocess.run(
        [str(csms), "api-keys", "create", f"bench-{int(time.time())}", "--scope", "operate"],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


async def open_loop(
    rate: float, duration_s: float, request: Callable[[int], Awaitable[httpx.Response]], phase: Phase, ok: int
) -> None:
    """Sends request(i) at `rate` per second for `duration_s`, recording each latency or failure."""

    async def one(index: int, scheduled: float) -> None:
        try:
            response = await request(index)
        except httpx.HTTPError as exc:
            phase.failures[type(exc).__name__] += 1
            return
        if response.status_code != ok:
            phase.failures[str(response.status_code)] += 1
            phase.details.setdefault(str(response.status_code), response.text[:300])
            return
        phase.latencies_ms.append(1000 * (time.perf_counter() - scheduled))

    start = time.perf_counter()
    tasks: list[asyncio.Task[None]] = []
    for index in range(int(rate * duration_s)):
        scheduled = start + index / rate
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        tasks.append(asyncio.create_task(one(index, scheduled)))
    await asyncio.gather(*tasks)


async def measure(args: argparse.Namespace, station_ids: list[str], key: str) -> list[str]:
    reports = []
    pids = {**stack_pids(INFRA_DIR), "bench (HTTP client + simulator)": os.getpid()}
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=200)
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=args.api, headers=headers, limits=limits, timeout=30.0) as client:

        async def get_station(index: int) -> httpx.Response:
            return await client.get(f"/api/v1/stations/{station_ids[index % len(station_ids)]}")

        async def command(index: int) -> httpx.Response:
            station = station_ids[index % len(station_ids)]
            return await client.post(f"/api/v1/stations/{station}/commands/trigger-message", json=COMMAND_BODY)

        await open_loop(args.rate, 5.0, get_station, Phase("warm-up"), 200)
        for name, request in (("station GET", get_station), ("command round trip", command)):
            phase = Phase(name)
            meter = CpuMeter(pids)
            started = time.perf_counter()
            await open_loop(args.rate, args.duration, request, phase, 200)
            reports.append(phase.report(time.perf_counter() - started, meter.used()))
            print(reports[-1], flush=True)
    return reports


async def run(args: argparse.Namespace) -> None:
    key = create_key()
    base = Config(
        url=args.url,
        provision_address=args.provision,
        provision_tls=CliSettings().grpc_tls,
        progress_interval_s=30.0,
        station_prefix="SIM-API-",
    )
    config = with_changes(
        base,
        stations=args.stations,
        scenarios=(Scenario.STEADY,),
        rate=SIMULATOR_RATE,
        duration_s=2 * args.duration + 60.0,
    )
    steady = asyncio.Event()
    simulator = Simulator(
        config,
        out=lambda line: print(line, flush=True),
        on_phase=lambda name: steady.set() if name == Scenario.STEADY.value else None,
    )
    simulation = asyncio.create_task(simulator.run())
    waiting = asyncio.create_task(steady.wait())
    await asyncio.wait({simulation, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if simulation.done():
        simulation.result()
        raise SystemExit("the simulator ended before its stations were booted")
    print(f"{load_average()}; {args.stations} stations booted; API at {args.api}, {args.rate:.0f} requests/s")
    try:
        await measure(args, config.station_ids(), key)
    finally:
        simulation.cancel()
        await asyncio.gather(simulation, return_exceptions=True)
    print(f"{load_average()} after", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="http://127.0.0.1:8080")
    parser.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    parser.add_argument("--provision", default="127.0.0.1:50052", help="AuthorizationService address")
    parser.add_argument("--stations", type=int, default=200)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per measured phase")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
