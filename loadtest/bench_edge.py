"""Edge node benchmarks against the real Kafka (`CSMS_KAFKA_BOOTSTRAP`, default 127.0.0.1:9092; `make up`).

    .venv/bin/python -m loadtest.bench_edge relay [--connections 200] [--seconds 15] [--rounds 3]
    .venv/bin/python -m loadtest.bench_edge memory [--connections 10000]

relay: frames per second one edge process relays into Kafka (counted by the topic's end offsets), next to a
bare `websockets` echo server (echoes counted by the generator) in the same run, each server in its own
process and measured alone; per core = frames per CPU second of the server process. `--rounds` alternates
echo and edge (default 3) and reports medians: on a shared machine a server's frames per CPU second drop when
it gets less than a core, so single runs scatter.
memory: RSS growth of one edge process per connection with N stations connected, each having sent one CALL.
The servers are `loadtest.servers`; the load comes from `loadtest.wsload` in this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition

from loadtest import wsload
from loadtest.procstat import cpu_seconds, load_average, rss_kib
from loadtest.servers import BENCH_TOPIC, BENCH_TOPIC_PARTITIONS
from loadtest.simulator.messages import call_frame
from loadtest.simulator.runner import raise_open_files_limit

HOST = "127.0.0.1"
# A 2.0.1 MeterValues CALL of about 300 bytes, the size the founding design's echo figure used.
FRAME = call_frame(
    "5f2b9a1c-0d3e-4c5b-9a8f-2e1d3c4b5a69",
    "MeterValues",
    {
        "evseId": 1,
        "meterValue": [
            {
                "timestamp": "2026-11-21T12:00:00.000Z",
                "sampledValue": [
                    {"value": 12345.5, "measurand": "Energy.Active.Import.Register", "unitOfMeasure": {"unit": "Wh"}},
                    {"value": 16.0, "measurand": "Current.Import", "phase": "L1"},
                    {"value": 230.1, "measurand": "Voltage", "phase": "L1-N"},
                ],
            }
        ],
    },
).encode()
HEARTBEAT = call_frame("1", "Heartbeat", {}).encode()
BLOB_FRAMES = 64


def bootstrap() -> str:
    return os.environ.get("CSMS_KAFKA_BOOTSTRAP", "127.0.0.1:9092")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def server(kind: str, *options: str) -> AsyncIterator[tuple[int, int]]:
    """Starts `python -m loadtest.servers KIND [OPTIONS]` on a free port; yields (pid, port); stops it
    afterwards."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loadtest.servers", kind, "--port", str(port), *options, stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        async with asyncio.timeout(120):
            while (line := await process.stdout.readline()).strip() != b"ready":
                if not line:
                    raise RuntimeError(f"{kind} server did not start (exit {await process.wait()})")
        yield process.pid, port
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


class TopicCounter:
    """Records appended to the benchmark topic, from its end offsets."""

    def __init__(self) -> None:
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap(), client_id="bench-edge-counter")
        self._partitions = [TopicPartition(BENCH_TOPIC, p) for p in range(BENCH_TOPIC_PARTITIONS)]

    async def __aenter__(self) -> TopicCounter:
        await self._consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._consumer.stop()

    async def count(self) -> int:
        offsets = await self._consumer.end_offsets(self._partitions)
        return sum(offsets.values())


@dataclass(frozen=True)
class Rate:
    server: str
    connections: int
    seconds: float
    frames: int
    frames_per_s: float
    cpu_cores: float
    frames_per_cpu_s: float
    load: str


async def measure(
    name: str, pid: int, port: int, count: Callable[[wsload.Totals], Awaitable[int]], args: argparse.Namespace
) -> Rate:
    """Pumps frames over `args.connections` connections; counts what the server handled after a warm-up."""
    totals = wsload.Totals()
    blob = wsload.client_frame(FRAME) * BLOB_FRAMES
    clients = await wsload.open_clients(HOST, port, args.connections, totals, prefix=f"{name}-")
    try:
        if totals.failed:
            raise RuntimeError(f"{totals.failed} connections to {name} failed: {totals.errors[:3]}")
        for client in clients:
            client.start(blob, pump=True)
        await asyncio.sleep(args.warmup)
        frames0, cpu0, t0 = await count(totals), cpu_seconds(pid), time.monotonic()
        await asyncio.sleep(args.seconds)
        frames1, cpu1, t1 = await count(totals), cpu_seconds(pid), time.monotonic()
    finally:
        for client in clients:
            client.close()
    frames, wall, cpu = frames1 - frames0, t1 - t0, max(cpu1 - cpu0, 1e-9)
    return Rate(
        name,
        args.connections,
        round(wall, 2),
        frames,
        round(frames / wall),
        round(cpu / wall, 2),
        round(frames / cpu),
        load_average(),
    )


async def relay(args: argparse.Namespace) -> list[tuple[Rate, Rate]]:
    """(echo, edge) per round, each server measured alone."""
    echo_frame = wsload.server_frame_size(len(FRAME))

    async def echoed(totals: wsload.Totals) -> int:
        return totals.received_bytes // echo_frame

    rounds = []
    for number in range(1, args.rounds + 1):
        async with server("echo") as (pid, port):
            echo = await measure("echo", pid, port, echoed, args)
        async with server("edge") as (pid, port), TopicCounter() as counter:
            edge = await measure("edge", pid, port, lambda totals: counter.count(), args)
        rounds.append((echo, edge))
        print(report_round(number, echo, edge), flush=True)
    return rounds


def report_round(number: int, echo: Rate, edge: Rate) -> str:
    return "\n".join(
        f"round {number} {r.server:4s} {r.connections} connections, {r.seconds:.0f} s: {r.frames_per_s:7d} frames/s "
        f"using {r.cpu_cores:.2f} cores = {r.frames_per_cpu_s:7d} frames per CPU second "
        f"({1e6 / r.frames_per_cpu_s:.1f} µs CPU per frame), {r.load}"
        for r in (echo, edge)
    )


def report_relay(rounds: list[tuple[Rate, Rate]]) -> str:
    echo = statistics.median(e.frames_per_cpu_s for e, _ in rounds)
    edge = statistics.median(e.frames_per_cpu_s for _, e in rounds)
    share = statistics.median(ed.frames_per_cpu_s / ec.frames_per_cpu_s for ec, ed in rounds)
    wall = statistics.median(ed.frames_per_s / ec.frames_per_s for ec, ed in rounds)
    per_core_ok = "met" if edge >= 15_000 else "MISSED"
    return (
        f"medians of {len(rounds)} rounds: echo {echo:.0f}, edge {edge:.0f} frames per CPU second; "
        f"edge per core {edge:.0f} (target ≥ 15000: {per_core_ok}); {share:.0%} of bare echo per core "
        f"(same round; target ≥ 50%: {'met' if share >= 0.5 else 'MISSED'}), {wall:.0%} per wall second"
    )


@dataclass(frozen=True)
class Memory:
    connections: int
    rss_before_kib: int
    rss_after_kib: int
    per_connection_kib: float


async def memory(args: argparse.Namespace) -> Memory:
    """RSS growth of the edge process with `args.connections` stations connected, each having sent one CALL."""
    raise_open_files_limit()
    async with server("edge") as (pid, port), TopicCounter() as counter:
        await asyncio.sleep(args.warmup)
        before, start = rss_kib(pid), await counter.count()
        totals = wsload.Totals()
        clients = await wsload.open_clients(HOST, port, args.connections, totals, concurrency=500)
        try:
            if totals.failed:
                raise RuntimeError(f"{totals.failed} connections failed: {totals.errors[:3]}")
            heartbeat = wsload.client_frame(HEARTBEAT)
            for client in clients:
                client.start(heartbeat, pump=False)
            for _ in range(240):  # until CONNECTED + the CALL of every station are appended, at most 2 min
                if await counter.count() - start >= 2 * args.connections:
                    break
                await asyncio.sleep(0.5)
            await asyncio.sleep(args.warmup)
            after = rss_kib(pid)
        finally:
            for client in clients:
                client.close()
    return Memory(args.connections, before, after, round((after - before) / args.connections, 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench", choices=["relay", "memory"])
    parser.add_argument("--connections", type=int, help="default: 200 (relay), 10000 (memory)")
    parser.add_argument("--seconds", type=float, default=15.0, help="relay: measured seconds per server")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds before measuring")
    parser.add_argument("--rounds", type=int, default=3, help="relay: echo/edge measurements, alternated")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores, {load_average()} at start, Kafka {bootstrap()}", flush=True)
    if args.bench == "relay":
        args.connections = args.connections or 200
        rounds = asyncio.run(relay(args))
        print(report_relay(rounds))
        figures: object = [asdict(rate) for pair in rounds for rate in pair]
    else:
        args.connections = args.connections or 10_000
        result = asyncio.run(memory(args))
        verdict = "met" if result.per_connection_kib <= 20 else "MISSED"
        print(
            f"edge RSS {result.rss_before_kib} KiB → {result.rss_after_kib} KiB with {result.connections} stations: "
            f"{result.per_connection_kib:.1f} KiB per connection (target ≤ 20: {verdict})"
        )
        figures = asdict(result)
    print(f"{load_average()} at end")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
