"""SSE fan-out of the live events: N concurrent `GET /api/v1/events` subscribers on one API process, fed by a
producer writing device-model events in Kafka transactions at a set rate (the real Kafka: `CSMS_KAFKA_BOOTSTRAP`,
default 127.0.0.1:9092, topics created by `csms migrate`). Everything listens on 127.0.0.1; the run stops by itself.

    .venv/bin/python -m loadtest.sse_fanout [--subscribers 100] [--rate 200] [--seconds 30] [--frames-rate 0]

Reports, over the measured window (after a warm-up): events/s delivered in total and per subscriber (min and
median), the API process's CPU (share of one core, and per delivered event), and the delivery lag (event
`occurred_at`, stamped by the producer just before its transaction, to the subscriber reading it) p50/p99.
`--frames-rate R` also writes R ordinary frames per second to ocpp.frames.v1, which the API's shared tail
reads and drops by header (the cost of streaming station.connected/disconnected from the frame log);
`--subscribers 0` then measures the tail alone. Also printed: the API's counters of streams that caught up
through their own consumer, overflows (streams dropped from the shared tail for lagging), records the tail read.
The API process is this module's `serve` (only the events router, as `csms_api` mounts it), in a process of
its own so its CPU is measured apart from the subscribers and the producer, which run here.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

import uvicorn
from fastapi import FastAPI, Response
from prometheus_client import generate_latest

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_api.api.events import events_router
from csms_api.live.config import LiveEventsSettings
from csms_api.live.stream import kafka_live_events
from csms_kernel.infra import topics
from csms_kernel.infra.client_security import PLAINTEXT
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.infra.kafka import envelope_headers, make_producer
from loadtest.bench_edge import HOST, bootstrap, free_port
from loadtest.procstat import cpu_seconds, load_average
from loadtest.simulator.stats import percentile

STATIONS = 2000
TICK_S = 0.01


@dataclass
class Subscriber:
    """One SSE client on a raw socket (HTTP/1.0: the body is the stream until the server closes it)."""

    opened: asyncio.Event = field(default_factory=asyncio.Event)
    counting: bool = False
    events: int = 0
    lags: list[float] = field(default_factory=list)

    async def run(self, port: int) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        writer.write(b"GET /api/v1/events HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(f"events request refused: {head!r}")
        buffer = b""
        try:
            while chunk := await reader.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\n\n")
                now = time.time()
                for message in messages:
                    self._take(message, now)
        finally:
            writer.close()

    def _take(self, message: bytes, now: float) -> None:
        if message.startswith(b": open"):
            self.opened.set()
            return
        at = message.find(b'"occurred_at":"')
        if at < 0 or not self.counting:
            return
        self.events += 1
        end = message.index(b'"', at + 15)
        self.lags.append(now - datetime.fromisoformat(message[at + 15 : end].decode()).timestamp())


async def produce(rate: float, frames_rate: float, stop: asyncio.Event) -> int:
    """Device-model events at `rate` per second, one Kafka transaction per 10 ms tick (as a call runner
    commits), and `frames_rate` frames per second; the number of events written."""
    producer = make_producer(bootstrap(), "sse-fanout", transactional_id=f"sse-fanout-{uuid.uuid4().hex[:8]}")
    frames = make_producer(bootstrap(), "sse-fanout-frames")
    await producer.start()
    await frames.start()
    frame = envelope_pb2.Envelope(
        station_id="CP-0",
        ocpp_version=envelope_pb2.OCPP_VERSION_201,
        direction=envelope_pb2.DIRECTION_STATION_TO_CSMS,
        kind=envelope_pb2.KIND_FRAME,
        message_type=envelope_pb2.MESSAGE_TYPE_CALL,
        message_id="m",
        action="MeterValues",
        frame=b'[2,"m","MeterValues",{"evseId":1,"meterValue":[{"timestamp":"2026-01-01T00:00:00Z",'
        b'"sampledValue":[{"value":1234.5}]}]}]',
    )
    frame_value, frame_headers = frame.SerializeToString(), envelope_headers(frame)
    written = frames_due = events_due = 0.0
    count = 0
    started = time.monotonic()
    try:
        while not stop.is_set():
            elapsed = time.monotonic() - started
            events_due, frames_due = rate * elapsed - count, frames_rate * elapsed - written
            if events_due >= 1:
                async with producer.transaction():
                    for _ in range(int(events_due)):
                        station_id = f"CP-{count % STATIONS}"
                        event = device_model_pb2.DeviceModelEvent(
                            station_id=station_id,
                            ocpp_version=envelope_pb2.OCPP_VERSION_201,
                            message_id=str(count),
                            occurred_at=timestamp(datetime.now(UTC)),
                            connector_status_changed=device_model_pb2.ConnectorStatusChanged(
                                evse_id=1, connector_id=1, status="Charging", error_code="NoError"
                            ),
                        )
                        await producer.send(
                            topics.DEVICE_MODEL_EVENTS, event.SerializeToString(), key=station_id.encode()
                        )
                        count += 1
            for _ in range(int(frames_due)):
                key = f"CP-{int(written) % STATIONS}".encode()
                await frames.send(topics.FRAMES, frame_value, key=key, headers=frame_headers)
                written += 1
            await asyncio.sleep(TICK_S)
    finally:
        await frames.stop()
        await producer.stop()
    return count


async def stream_counters(port: int) -> dict[str, float]:
    """The API process's live events counters (its /metrics)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    writer.write(b"GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
    body = (await reader.read()).split(b"\r\n\r\n", 1)[1].decode()
    writer.close()
    counters = {}
    for line in body.splitlines():
        if line.startswith("csms_api_events_") and "_total" in line:
            name, value = line.rsplit(" ", 1)
            counters[name.removeprefix("csms_api_events_")] = float(value)
    return counters


async def wait_ready(port: int, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            reader, writer = await asyncio.open_connection(HOST, port)
            writer.write(b"GET /readyz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            status = await reader.readline()
            writer.close()
            if status.startswith(b"HTTP/1.1 200"):
                return
        await asyncio.sleep(0.2)
    raise TimeoutError("the API process did not become ready")


async def bench(args: argparse.Namespace) -> dict[str, object]:
    port = free_port()
    api = subprocess.Popen(  # noqa: ASYNC220 - started once, before the measured window
        [sys.executable, "-m", "loadtest.sse_fanout", "serve", "--port", str(port)],
        env={**os.environ, "CSMS_KAFKA_BOOTSTRAP": bootstrap()},
    )
    subscribers = [Subscriber() for _ in range(args.subscribers)]
    tasks: list[asyncio.Task[None]] = []
    stop = asyncio.Event()
    try:
        await wait_ready(port)
        tasks = [asyncio.create_task(s.run(port)) for s in subscribers]
        await asyncio.wait_for(asyncio.gather(*(s.opened.wait() for s in subscribers)), 60)
        producer = asyncio.create_task(produce(args.rate, args.frames_rate, stop))
        await asyncio.sleep(args.warmup)
        for s in subscribers:
            s.counting = True
        cpu_before, started = cpu_seconds(api.pid), time.monotonic()
        await asyncio.sleep(args.seconds)
        cpu, window = cpu_seconds(api.pid) - cpu_before, time.monotonic() - started
        counters = await stream_counters(port)
        for s in subscribers:
            s.counting = False
        stop.set()
        written = await producer
        failed = [t for t in tasks if t.done() and t.exception() is not None]
        if failed:
            raise RuntimeError(f"{len(failed)} subscribers failed: {failed[0].exception()!r}")
    finally:
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        api.send_signal(signal.SIGTERM)
        try:
            api.wait(15)
        except subprocess.TimeoutExpired:
            api.kill()
    delivered = sum(s.events for s in subscribers)
    per_subscriber = sorted(s.events / window for s in subscribers) or [0.0]
    lags = sorted(lag for s in subscribers for lag in s.lags)
    return {
        "subscribers": args.subscribers,
        "rate": args.rate,
        "frames_rate": args.frames_rate,
        "seconds": round(window, 1),
        "events_written": written,
        "delivered_per_s": round(delivered / window),
        "per_subscriber_per_s_min": round(per_subscriber[0], 1),
        "per_subscriber_per_s_median": round(statistics.median(per_subscriber), 1),
        "api_cpu_share": round(cpu / window, 3),
        "api_cpu_us_per_delivered_event": round(cpu / delivered * 1e6, 1) if delivered else None,
        "lag_p50_ms": round(percentile(lags, 50) * 1000, 1),
        "lag_p99_ms": round(percentile(lags, 99) * 1000, 1),
        "load": load_average(),
        "catch_ups": counters.get("catch_ups_total", 0),
        "overflows": counters.get("overflows_total", 0),
        "tail_records": {name: v for name, v in counters.items() if name.startswith("tail_records")},
    }


async def serve(port: int) -> None:
    """The API process of the benchmark: the live events router alone, as the API service mounts it."""

    async def no_group(station_id: str) -> str | None:
        return None

    async def anyone() -> None:
        return None

    live = kafka_live_events(LiveEventsSettings(), bootstrap(), PLAINTEXT, no_group, f"sse-fanout-api-{port}")
    app = FastAPI()
    app.include_router(events_router(live, anyone))

    @app.get("/readyz")
    async def readyz() -> Response:
        return Response(status_code=200 if live.ready else 503)

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type="text/plain")

    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning", lifespan="off"))
    await live.start()
    try:
        await server.serve()
    finally:
        await live.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command")
    serve_parser = sub.add_parser("serve", help="(internal) the API process")
    serve_parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--rate", type=float, default=200.0, help="events per second written")
    parser.add_argument("--frames-rate", type=float, default=0.0, help="frames per second written to ocpp.frames.v1")
    parser.add_argument("--seconds", type=float, default=30.0, help="measured window")
    parser.add_argument("--warmup", type=float, default=5.0)
    args = parser.parse_args()
    if args.command == "serve":
        asyncio.run(serve(args.port))
        return
    result = asyncio.run(bench(args))
    print(json.dumps(result))
    for name, value in result.items():
        print(f"{name:>34}: {value}")


if __name__ == "__main__":
    main()
