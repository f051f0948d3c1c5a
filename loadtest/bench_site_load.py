"""Load management through the whole stack (`make up`), docs/adr/0042: the time from a session start to the new
TxProfiles being installed at the stations, on one site of many EVSEs and on many one-EVSE sites gaining a session
at once, and the smart-charging processes' CPU meanwhile.

    .venv/bin/python -m loadtest.bench_site_load [--evses 100] [--rounds 10] [--sites 1000]

Simulated stations (1.6 and 2.0.1, one EVSE, 3-phase 32 A cars) are registered, connect and stay connected
(steady with rate 0: they send only what this script makes them send). `site`: one site of `--evses` EVSEs at 8 A
per EVSE; all but `--rounds` EVSEs start charging, then each round starts one more session and times it from the
StartTransaction / TransactionEvent Started sent to the moment that station holds its TxProfile, which load
management sends only after every other EVSE's lowered TxProfile was accepted (lowers before raises). `sites`:
`--sites` sites of one EVSE each; a session starts on all of them at once, timed the same way per station
(p50/p95/max) and until the last. Prints the figures with the machine's load average and the CPU seconds of the
smart-charging processes (per recompute: CPU / recomputes, a recompute per session start).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import json
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from csms.smart_charging.v1 import smart_charging_pb2, smart_charging_pb2_grpc
from csms_cli.settings import CliSettings
from csms_kernel.clients.channels import channel
from loadtest.bench_stack import INFRA_DIR
from loadtest.procstat import CpuMeter, load_average, stack_pids
from loadtest.simulator.behaviour import EVSE, Behaviour, Mix, State
from loadtest.simulator.composite import Purpose
from loadtest.simulator.config import Config, Scenario, parse_mix
from loadtest.simulator.runner import Simulator, iso_now
from loadtest.simulator.station import Station

POLL_S = 0.005


def holds(behaviour: Behaviour, purpose: Purpose, transaction: bool = False) -> bool:
    profiles = behaviour.profiles
    if profiles is None:
        return False
    session = profiles.sessions.get(EVSE)
    return any(
        profile.purpose is purpose
        and (not transaction or (session is not None and profile.transaction_id == session.transaction_id))
        for profile in profiles.profiles()
    )


async def until(check: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout_s:.0f} s")
        await asyncio.sleep(POLL_S)


async def start_session(station: Station) -> None:
    """StartTransaction (1.6) / TransactionEvent Started (2.x), as the steady state sends it once authorized."""
    behaviour = station.behaviour
    behaviour.state = State.AUTHORIZING
    action, payload = behaviour.next_message(iso_now())
    result = await station.call(action, payload)
    if result is not None:
        behaviour.on_result(result)


async def timed_start(station: Station, timeout_s: float) -> float:
    """Seconds from the session start sent to its TxProfile held by the station."""
    started = time.monotonic()
    await start_session(station)
    await until(lambda: holds(station.behaviour, Purpose.TX, transaction=True), timeout_s, station.station_id)
    return time.monotonic() - started


def percentiles(seconds: Sequence[float]) -> str:
    ordered = sorted(seconds)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ordered) * 1e3:.0f} ms, p95 {p95 * 1e3:.0f} ms, max {ordered[-1] * 1e3:.0f} ms"


async def define(stub: Any, site_id: str, stations: Sequence[Station], limit_a: float) -> None:
    definition = {
        "limit": limit_a,
        "unit": "A",
        "idle_limit_a": 0,
        "evses": [
            {"station_id": s.station_id, "evse_id": EVSE, "phases": 3, "min_a": 6, "max_a": 32} for s in stations
        ],
    }
    request = smart_charging_pb2.PutSiteRequest(site_id=site_id, definition_json=json.dumps(definition))
    await stub.PutSite(request, timeout=60)


async def gather_limited(calls: Sequence[Callable[[], Awaitable[Any]]], concurrency: int) -> list[Any]:
    gate = asyncio.Semaphore(concurrency)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with gate:
            return await call()

    return await asyncio.gather(*(one(call) for call in calls))


def smart_charging_cpu(meter: CpuMeter) -> float:
    return sum(seconds for name, seconds in meter.used().items() if name.startswith("smart-charging"))


async def bench_site(args: argparse.Namespace, simulator: Simulator, stub: Any) -> None:
    stations = simulator.stations
    await define(stub, f"bench-site-{uuid.uuid4().hex[:6]}", stations, 8.0 * len(stations))
    await until(lambda: all(holds(s.behaviour, Purpose.TX_DEFAULT) for s in stations), 120, "TxDefaultProfiles")
    crowd, measured = stations[: -args.rounds], stations[-args.rounds :]
    await asyncio.gather(*(timed_start(station, 300) for station in crowd))
    print(f"site of {len(stations)} EVSEs: {len(crowd)} charging; {load_average()}", flush=True)
    meter = CpuMeter(stack_pids(INFRA_DIR))
    times = [await timed_start(station, 120) for station in measured]
    cpu = smart_charging_cpu(meter)
    print(f"  session start -> its TxProfile installed (after the others' lowers): {percentiles(times)}")
    print(
        f"  smart-charging CPU {cpu:.2f} s over {len(times)} recomputes of {len(stations)} EVSEs "
        f"({cpu / len(times) * 1e3:.0f} ms per recompute, pushes included); {load_average()}",
        flush=True,
    )


async def bench_sites(args: argparse.Namespace, simulator: Simulator, stub: Any) -> None:
    stations = simulator.stations
    prefix = f"bench-{uuid.uuid4().hex[:6]}"
    await gather_limited(
        [functools.partial(define, stub, f"{prefix}-{n}", [station], 32.0) for n, station in enumerate(stations)], 20
    )
    await until(lambda: all(holds(s.behaviour, Purpose.TX_DEFAULT) for s in stations), 300, "TxDefaultProfiles")
    print(f"{len(stations)} sites of one EVSE defined; {load_average()}", flush=True)
    meter = CpuMeter(stack_pids(INFRA_DIR))
    started = time.monotonic()
    times = await asyncio.gather(*(timed_start(station, 600) for station in stations))
    wall = time.monotonic() - started
    cpu = smart_charging_cpu(meter)
    print(
        f"  {len(stations)} sites gaining a session at once: each start -> its TxProfile {percentiles(times)}; "
        f"all in {wall:.1f} s"
    )
    print(
        f"  smart-charging CPU {cpu:.1f} s ({cpu / len(stations) * 1e3:.1f} ms per site recompute, push "
        f"included); {load_average()}",
        flush=True,
    )


async def run(args: argparse.Namespace, stations: int, scenario: Callable[..., Awaitable[None]]) -> None:
    settings = CliSettings()
    config = Config(
        url=args.url,
        stations=stations,
        station_prefix=f"SL{uuid.uuid4().hex[:4]}-",
        mix=parse_mix("1.6=50,2.0.1=50"),
        scenarios=(Scenario.STEADY,),
        duration_s=24 * 3600.0,
        rate=0.0,
        behaviour=Mix(sessions=True, start_probability=0.0),  # id tokens provisioned; starts sent by this script
        connect_concurrency=200,
        call_timeout_s=120.0,
        provision_address=args.provision,
        provision_tls=settings.grpc_tls,
        progress_interval_s=600.0,
    )
    steady = asyncio.Event()

    def on_phase(name: str) -> None:
        if name == "steady":
            steady.set()

    simulator = Simulator(config, out=lambda line: None, on_phase=on_phase)
    running = asyncio.create_task(simulator.run())
    try:
        await asyncio.wait_for(steady.wait(), timeout=600)
        async with channel(settings.smart_charging_address, settings.grpc_tls) as grpc_channel:
            await scenario(args, simulator, smart_charging_pb2_grpc.SmartChargingServiceStub(grpc_channel))
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running


async def bench(args: argparse.Namespace) -> None:
    print(f"{load_average()} before", flush=True)
    if args.evses:
        await run(args, args.evses, bench_site)
    if args.sites:
        await run(args, args.sites, bench_sites)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evses", type=int, default=100, help="EVSEs of the one site (0: skip)")
    parser.add_argument("--rounds", type=int, default=10, help="session starts timed on the crowded site")
    parser.add_argument("--sites", type=int, default=1000, help="one-EVSE sites gaining a session at once (0: skip)")
    parser.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    parser.add_argument("--provision", default="127.0.0.1:50052", help="AuthorizationService address")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
