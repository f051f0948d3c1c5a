"""Whole-stack benchmarks with the station simulator against a running stack (`make up`).

    .venv/bin/python -m loadtest.bench_stack latency [--rate 500] [--duration 300] [--baseline]
    .venv/bin/python -m loadtest.bench_stack sweep [--rates 100,200,300,400,500,750,1000] [--duration 60]
    .venv/bin/python -m loadtest.bench_stack boot-storm [--stations 10000]
    .venv/bin/python -m loadtest.bench_stack boot-storm --url wss://127.0.0.1:9443/ocpp --ca-file .infra/pki/root-ca.pem
        (security profile 2: the stations are registered at profile 2 and connect over TLS)
    add --idle N [--idle-reads own|frames] to run N idle services beside the stack (`loadtest.idle_service`)

latency: CALL→CALLRESULT percentiles at a sustained rate (target p99 ≤ 50 ms at 500 CALL/s for 5 minutes); with
`--baseline`, the same load first against the naive in-memory CSMS (`loadtest.baseline_server`, issue 16: the stack's
p99 within 5 times its p99), both reported side by side.
sweep: one steady run per rate; the highest rate whose p99 stays ≤ 100 ms with every CALL answered and at
least 95 % of the rate achieved. boot-storm: N stations connect and boot (target 10,000 within 60 s).
Each run registers its stations first (RegisterStation, UpsertIdToken) and prints the load average with it.
With `--idle N`, the CPU per CALL of the N idle services is printed too: what each service added to the system
costs every CALL (ADR 0017).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path

from csms_cli.settings import CliSettings
from loadtest.procstat import CpuMeter, load_average, stack_pids
from loadtest.simulator.config import Config, Scenario, fault_probability
from loadtest.simulator.report import write_histogram
from loadtest.simulator.runner import Simulator
from loadtest.simulator.stats import Summary, format_summary

INFRA_DIR = Path(os.environ.get("CSMS_INFRA_DIR") or ".infra")
OUT = INFRA_DIR / "bench"
LATENCY_P99_MS = 50.0
SWEEP_P99_MS = 100.0


def run(
    config: Config, picture: Path | None = None, idle: dict[str, int] | None = None, *, stack: bool = True
) -> list[Summary]:
    """One simulator run; also prints the CPU each stack process (unless `stack` is false) and each process of
    `idle` used per CALL of the last phase."""
    print(f"{load_average()} before {config.stations} stations", flush=True)
    pids = {**(stack_pids(INFRA_DIR) if stack else {}), **(idle or {}), "simulator": os.getpid()}
    meters: list[CpuMeter] = []  # one per phase, started as it begins; the last one is reported
    simulator = Simulator(
        config, out=lambda line: print(line, flush=True), on_phase=lambda name: meters.append(CpuMeter(pids))
    )
    summaries = asyncio.run(simulator.run())
    for summary in summaries:
        print(format_summary(summary))
    print(cpu_report(meters[-1].used(), summaries[-1]))
    print(f"{load_average()} after", flush=True)
    if picture is not None:
        write_histogram(simulator.phases, picture, f"{config.stations} stations, " + picture.stem)
        print(f"histogram: {picture}")
    return summaries


def cpu_report(used: dict[str, float], summary: Summary) -> str:
    """Cores each process used during the phase and its CPU milliseconds per CALL (capacity model inputs)."""
    lines = [f"CPU during {summary.phase} ({summary.calls} CALLs in {summary.duration_s:.0f} s):"]
    for name, seconds in sorted(used.items()):
        per_call = seconds * 1000 / max(summary.calls, 1)
        lines.append(f"  {name:16s} {seconds / summary.duration_s:5.2f} cores  {per_call:6.3f} ms CPU per CALL")
    return "\n".join(lines)


@contextlib.contextmanager
def idle_services(count: int, reads: str, bootstrap: str) -> Iterator[dict[str, int]]:
    """`count` idle services (`loadtest.idle_service`), given 10 s to join their groups; stopped on exit."""
    processes = {
        f"idle{i}": subprocess.Popen(
            [
                sys.executable,
                "-m",
                "loadtest.idle_service",
                "--name",
                f"idle{i}",
                "--reads",
                reads,
                "--bootstrap",
                bootstrap,
            ]
        )
        for i in range(1, count + 1)
    }
    try:
        if processes:
            time.sleep(10)
        yield {name: process.pid for name, process in processes.items()}
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)


@contextlib.contextmanager
def baseline_server() -> Iterator[tuple[str, int]]:
    """The naive baseline CSMS (`loadtest.baseline_server`) on a free port: its URL prefix and pid; stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "loadtest.baseline_server", "--port", str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        print(process.stdout.readline().strip(), flush=True)  # its "listening" line: it is up
        yield f"ws://127.0.0.1:{port}/ocpp", process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def sustained(summary: Summary, rate: float, p99_ms: float) -> bool:
    """Every CALL answered in time, the rate achieved (≥ 95 %) and p99 within `p99_ms`."""
    return summary.timeouts == 0 and summary.call_rate >= 0.95 * rate and summary.p99_ms <= p99_ms


def with_faults(config: Config, fault_rate: float, rate: float) -> Config:
    """`config` whose 2.x stations send `fault_rate` NotifyEvent faults per second at `rate` CALLs per second."""
    behaviour = replace(config.behaviour, fault_probability=fault_probability(fault_rate, rate, config.mix))
    return replace(config, behaviour=behaviour)


def baseline(config: Config, rate: float) -> Summary:
    """The latency run's load against the naive baseline CSMS (no provisioning: it accepts every station)."""
    with baseline_server() as (url, pid):
        print(f"baseline: the same {config.stations} stations at {rate:.0f} CALL/s against {url}", flush=True)
        naive = replace(config, url=url, provision_address=None, station_prefix="BASELINE-")
        _, summary = run(naive, OUT / f"baseline-{rate:.0f}.png", {"baseline": pid}, stack=False)
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench", choices=["latency", "sweep", "boot-storm"])
    parser.add_argument("--url", default="ws://127.0.0.1:9000/ocpp")
    parser.add_argument("--ca-file", type=Path, help="wss:// urls: the CA the stations trust (.infra/pki/root-ca.pem)")
    parser.add_argument("--provision", default="127.0.0.1:50052", help="AuthorizationService address")
    parser.add_argument("--stations", type=int, help="default 1000 (latency, sweep), 10000 (boot-storm)")
    parser.add_argument("--rate", type=float, default=500.0)
    parser.add_argument("--rates", default="100,200,300,400,500,750,1000")
    parser.add_argument("--duration", type=float, help="steady seconds: default 300 (latency), 60 (sweep)")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="2.x NotifyEvent faults per s in the steady traffic (default 0: figures comparable with earlier runs)",
    )
    parser.add_argument(
        "--baseline", action="store_true", help="latency: the same load against the naive baseline CSMS first"
    )
    parser.add_argument("--idle", type=int, default=0, help="idle services to run beside the stack")
    parser.add_argument("--idle-reads", choices=["own", "frames"], default="own", help="see loadtest.idle_service")
    parser.add_argument("--kafka", default="127.0.0.1:9092", help="Kafka bootstrap of the idle services")
    args = parser.parse_args()
    with idle_services(args.idle, args.idle_reads, args.kafka) as idle:
        bench(args, idle)


def bench(args: argparse.Namespace, idle: dict[str, int]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"{os.cpu_count()} cores; stack at {args.url}", flush=True)
    tls = args.url.startswith("wss://")
    base = Config(
        url=args.url,
        provision_address=args.provision,
        provision_tls=CliSettings().grpc_tls,
        progress_interval_s=10.0,
        call_timeout_s=30.0,
        ca_file=args.ca_file,
        security_profile=2 if tls else 1,
    )
    results: dict[str, object] = {}
    if args.bench == "boot-storm":
        stations = args.stations or 10_000
        config = replace(
            base,
            stations=stations,
            connect_concurrency=500,
            storm_timeout_s=300.0,
            station_prefix="BOOT-SP2-" if tls else "BOOT-",
        )
        (boot,) = run(config, OUT / ("boot-storm-sp2.png" if tls else "boot-storm.png"), idle)
        took = boot.all_booted_after_s
        verdict = "met" if took is not None and took <= 60 else "MISSED"
        print(f"{boot.boots_accepted}/{stations} booted, all after {took} s (target ≤ 60 s: {verdict})")
        results["boot-storm-sp2" if tls else "boot-storm"] = asdict(boot)
    else:
        steady = replace(base, stations=args.stations or 1000, scenarios=(Scenario.STEADY,))
        if args.bench == "latency":
            config = replace(
                with_faults(steady, args.fault_rate, args.rate), rate=args.rate, duration_s=args.duration or 300.0
            )
            naive = baseline(config, args.rate) if args.baseline else None
            _, summary = run(config, OUT / f"latency-{args.rate:.0f}.png", idle)
            verdict = "met" if sustained(summary, args.rate, LATENCY_P99_MS) else "MISSED"
            print(f"{args.rate:.0f} CALL/s: p99 {summary.p99_ms} ms (target ≤ {LATENCY_P99_MS:.0f} ms: {verdict})")
            results["latency"] = asdict(summary)
            if naive is not None:
                ratio = summary.p99_ms / max(naive.p99_ms, 0.001)
                within = "met" if ratio <= 5 else "MISSED"
                print(
                    f"side by side: p50 {summary.p50_ms} vs. {naive.p50_ms} ms, p99 {summary.p99_ms} vs. "
                    f"{naive.p99_ms} ms (baseline): {ratio:.1f} times (target ≤ 5 times: {within})"
                )
                results["baseline"] = asdict(naive)
        else:
            best = 0.0
            for rate in (float(r) for r in args.rates.split(",")):
                config = replace(
                    with_faults(steady, args.fault_rate, rate), rate=rate, duration_s=args.duration or 60.0
                )
                _, summary = run(config, OUT / f"sweep-{rate:.0f}.png", idle)
                results[f"{rate:.0f}"] = asdict(summary)
                ok = sustained(summary, rate, SWEEP_P99_MS)
                print(f"==> {rate:.0f} CALL/s offered, {summary.call_rate} achieved: p99 {summary.p99_ms} ms")
                if not ok:
                    break
                best = rate
            print(f"highest rate with p99 ≤ {SWEEP_P99_MS:.0f} ms: {best:.0f} CALL/s")
    (OUT / f"{args.bench}{'-sp2' if tls else ''}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
