"""What tracing costs the edge: frames/s relayed into Kafka and edge CPU per frame, tracing off and on.

    .venv/bin/python -m loadtest.bench_tracing_overhead [--connections 200] [--seconds 15] [--modes off,on,ratio]

Needs only Kafka (`CSMS_KAFKA_BOOTSTRAP`, default 127.0.0.1:9092; `make infra-up`). Per mode, one real edge
node runs as its own process (`loadtest.servers`' edge, wrapped in `csms.telemetry.installed` as
`csms serve edge` is), appending to the benchmark topic `loadtest.frames.v1` instead of `ocpp.frames.v1` (no
service answers or stores the frames) and accepting every station without a registry. N stations pipeline
2.0.1 MeterValues CALLs at it from this process, at most `--window` frames ahead of what the edge has read.
Frames are counted by the edge's own /metrics (`csms_ocpp_frames_total`), CPU from /proc; the figure that
isolates tracing is the edge's CPU µs per frame.

Modes: `off` no exporter (the default: no spans at all); `on` every frame traced, OTLP/gRPC to a sink
process that discards the spans (BatchSpanProcessor defaults); `ratio` the same with
`OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `OTEL_TRACES_SAMPLER_ARG=0.01`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import grpc
import websockets
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from prometheus_client.parser import text_string_to_metric_families

from csms_kernel.infra.lifecycle import run_until_signalled
from csms_kernel.infra.settings import CommonSettings
from csms_kernel.telemetry import installed
from loadtest import bench_edge, servers
from loadtest.procstat import cpu_seconds
from loadtest.station_socket import basic_auth

HOST = "127.0.0.1"
NODE_ID = "bench-tracing"
TRACE_SERVICE = "opentelemetry.proto.collector.trace.v1.TraceService"
MODES: dict[str, dict[str, str]] = {
    "off": {},
    "on": {"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
    "ratio": {
        "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc",
        "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG": "0.01",
    },
}
FRAME = bench_edge.FRAME.decode()


def serve_edge(port: int) -> None:
    """The edge process of one mode: `loadtest.servers`' edge node (benchmark topic, every station accepted)
    with the telemetry set-up of `csms serve edge`; OTEL_* and CSMS_METRICS_PORT from the environment."""
    settings = CommonSettings()
    with installed("edge", settings.metrics_port, metrics_host=settings.metrics_host, instance_id=NODE_ID):
        run_until_signalled(lambda: servers.run_edge(port, servers.BENCH_TOPIC, NODE_ID))


def serve_sink(port: int) -> None:
    """An OTLP/gRPC trace endpoint that counts the spans it is sent and drops them; on SIGTERM it prints
    {"spans": n}."""
    totals = {"spans": 0}

    def export(request: ExportTraceServiceRequest, context: grpc.ServicerContext) -> ExportTraceServiceResponse:
        totals["spans"] += sum(
            len(scope.spans) for resource in request.resource_spans for scope in resource.scope_spans
        )
        return ExportTraceServiceResponse()

    handler = grpc.unary_unary_rpc_method_handler(
        export,
        request_deserializer=ExportTraceServiceRequest.FromString,
        response_serializer=ExportTraceServiceResponse.SerializeToString,
    )
    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(TRACE_SERVICE, {"Export": handler}),))
    server.add_insecure_port(f"{HOST}:{port}")
    server.start()
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print("ready", flush=True)
    stopped.wait()
    server.stop(None)
    print(json.dumps(totals), flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def frames_in(metrics_port: int) -> float:
    with urllib.request.urlopen(f"http://{HOST}:{metrics_port}/metrics", timeout=5) as response:
        text = response.read().decode()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "csms_ocpp_frames_total" and sample.labels.get("direction") == "in"
    )


@contextlib.contextmanager
def process(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[str]]:
    """`python -m loadtest.bench_tracing_overhead ARGS` as a child; SIGTERM and wait on exit."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("OTEL_")}
    child = subprocess.Popen(
        [sys.executable, "-m", "loadtest.bench_tracing_overhead", *args],
        env={**inherited, **(env or {})},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


async def wait_until_ready(child: subprocess.Popen[str]) -> None:
    """Until the child printed "ready" (the edge prints its listening line first)."""
    assert child.stdout is not None
    while (line := await asyncio.to_thread(child.stdout.readline)).strip() != "ready":
        if not line:
            raise RuntimeError(f"child process exited with {child.wait()}")


@dataclass(frozen=True)
class Result:
    mode: str
    connections: int
    seconds: float
    frames: int
    frames_per_s: float
    edge_cpu_cores: float
    edge_cpu_us_per_frame: float
    load_average_1m: float
    frames_total: int
    spans_exported: int


def station(port: int, station_id: str) -> websockets.connect:
    return websockets.connect(
        f"ws://{HOST}:{port}/ocpp/{station_id}",
        subprotocols=[websockets.Subprotocol("ocpp2.0.1")],
        additional_headers={"Authorization": basic_auth(station_id, "bench-password-0001")},
        compression=None,
    )


class Credit:
    """Keeps the frames sent but not yet read by the edge under `window` (polling the edge's frame counter),
    so the edge always has work but nothing piles up in socket buffers."""

    def __init__(self, window: int) -> None:
        self._free = asyncio.Semaphore(window)

    async def acquire(self) -> None:
        await self._free.acquire()

    async def replenish(self, metrics_port: int) -> None:
        seen = await asyncio.to_thread(frames_in, metrics_port)
        while True:
            await asyncio.sleep(0.1)
            now = await asyncio.to_thread(frames_in, metrics_port)
            for _ in range(int(now - seen)):
                self._free.release()
            seen = now


async def pump(ws: websockets.ClientConnection, credit: Credit) -> None:
    while True:
        await credit.acquire()
        await ws.send(FRAME)


async def drained(metrics_port: int) -> int:
    """Frames the edge read once it has worked off what was still buffered in its sockets."""
    previous, current = -1.0, await asyncio.to_thread(frames_in, metrics_port)
    while current != previous:
        await asyncio.sleep(1.0)
        previous, current = current, await asyncio.to_thread(frames_in, metrics_port)
    return int(current)


async def sample(pid: int, metrics_port: int) -> tuple[float, float, float]:
    """Frames the edge read so far, its CPU seconds so far, now."""
    return await asyncio.to_thread(frames_in, metrics_port), cpu_seconds(pid), time.monotonic()


async def measure(mode: str, args: argparse.Namespace) -> Result:
    ws_port, metrics_port, sink_port = free_port(), free_port(), free_port()
    env = {"CSMS_EDGE_GRPC_LISTEN": f"{HOST}:0", "CSMS_METRICS_PORT": str(metrics_port), **MODES[mode]}
    if mode != "off":
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = f"http://{HOST}:{sink_port}"
    with process("sink", "--port", str(sink_port)) as sink, process("edge", "--port", str(ws_port), env=env) as edge:
        await wait_until_ready(sink)
        await wait_until_ready(edge)
        async with contextlib.AsyncExitStack() as stack:
            sockets = [
                await stack.enter_async_context(station(ws_port, f"BENCH-{i:05d}")) for i in range(args.connections)
            ]
            credit = Credit(args.window)
            pumps = [asyncio.create_task(credit.replenish(metrics_port))]
            pumps += [asyncio.create_task(pump(ws, credit)) for ws in sockets]
            await asyncio.sleep(args.warmup)
            frames0, cpu0, t0 = await sample(edge.pid, metrics_port)
            await asyncio.sleep(args.seconds)
            frames1, cpu1, t1 = await sample(edge.pid, metrics_port)
            load = os.getloadavg()[0]
            for task in pumps:
                task.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
        frames_total = await drained(metrics_port)
        edge.terminate()
        await asyncio.to_thread(edge.wait, 30)  # flushes the spans still batched
        sink.terminate()
        assert sink.stdout is not None
        exported = int(json.loads(await asyncio.to_thread(sink.stdout.readline) or "{}").get("spans", 0))
    frames, wall, cpu = int(frames1 - frames0), t1 - t0, cpu1 - cpu0
    return Result(
        mode,
        args.connections,
        round(wall, 1),
        frames,
        round(frames / wall),
        round(cpu / wall, 2),
        round(cpu / max(frames, 1) * 1e6, 1),
        round(load, 2),
        frames_total,
        exported,
    )


async def run(args: argparse.Namespace) -> list[Result]:
    results = []
    for mode in args.modes.split(","):
        result = await measure(mode, args)
        print(
            f"{mode:>5}: {result.frames_per_s:>7,.0f} frames/s, edge {result.edge_cpu_cores:.2f} cores, "
            f"{result.edge_cpu_us_per_frame:.1f} µs CPU/frame, load {result.load_average_1m}, "
            f"{result.spans_exported:,} spans exported for {result.frames_total:,} frames",
            flush=True,
        )
        results.append(result)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    for name in ("edge", "sink"):
        commands.add_parser(name, help="(internal) a child process").add_argument("--port", type=int, required=True)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--warmup", type=float, default=5.0)
    parser.add_argument("--window", type=int, default=4000, help="frames in flight, all connections together")
    parser.add_argument("--modes", default="off,on,ratio")
    args = parser.parse_args()
    if args.command == "edge":
        serve_edge(args.port)
    elif args.command == "sink":
        serve_sink(args.port)
    else:
        os.environ.setdefault("CSMS_KAFKA_BOOTSTRAP", CommonSettings().kafka_bootstrap)
        print(json.dumps([asdict(result) for result in asyncio.run(run(args))]))


if __name__ == "__main__":
    main()
