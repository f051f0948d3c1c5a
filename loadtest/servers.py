"""The two servers the edge benchmarks compare, each run as its own process:

    python -m loadtest.servers edge --port 9300 --topic loadtest.frames.v1 [--tls-port 9301 --pki DIR]
    python -m loadtest.servers echo --port 9301

`edge` is the real edge node (`edge.bootstrap`) with its real Kafka frame log, written to a benchmark topic
instead of `ocpp.frames.v1` and its CALLs to `loadtest.calls.<owner>.v1` instead of the services' call topics
(so no service answers or stores the frames) and an accept-all station registry
behind the real verdict cache (so no authorization service is needed; the cache's memory still counts).
`echo` is a bare `websockets` server echoing every message, configured like the edge (no compression).
With `--tls-port` the edge also serves wss:// with the development PKI in `--pki` (created if missing; client
certificates of its station CA give profile 3). Each prints `ready` once it accepts connections.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path
from typing import Any

from websockets.asyncio.server import ServerConnection, serve

from csms_edge import bootstrap
from csms_edge.adapters.frame_log import KafkaFrameLog
from csms_edge.adapters.kafka_producer import AsyncProducer
from csms_edge.adapters.station_registry import CachingStationRegistry
from csms_edge.ports import Verdict
from csms_edge.settings import EdgeSettings
from csms_kernel.infra import lifecycle
from csms_kernel.infra.kafka import librdkafka_producer_config
from csms_kernel.infra.lifecycle import run_until_signalled
from csms_kernel.migrate import ensure_topic
from csms_kernel.pki.dev import ensure_dev_pki
from csms_kernel.telemetry.logs import configure_logging

BENCH_TOPIC = "loadtest.frames.v1"
OWNERS = ("device_model", "authorization", "transactions")
BENCH_TOPIC_PARTITIONS = 12
BENCH_TOPIC_CONFIG = {"retention.ms": "3600000", "cleanup.policy": "delete"}


class AcceptAll:
    async def verify(self, station_id: str, password: str, presented_profile: int = 1) -> Verdict:
        return Verdict.ACCEPTED


def bench_calls_topic(owner: str) -> str:
    """Where the benchmark edge hands CALLs to their owners: no service reads it, so none answers."""
    return f"loadtest.calls.{owner}.v1"


async def run_edge(
    port: int, topic: str, node_id: str, tls_port: int | None = None, pki_dir: Path | None = None
) -> None:
    # No per-station budget (ADR 0030): the benchmark measures the node's capacity, ~200 frames/s per connection.
    tls: dict[str, Any] = {}
    if tls_port is not None:
        pki = ensure_dev_pki(pki_dir or Path(".infra/pki"))
        tls = {
            "tls_port": tls_port,
            "tls_cert_file": str(pki.server_chain),
            "tls_key_file": str(pki.server.key),
            "station_ca_file": str(pki.station_ca.certificate),
        }
    settings = EdgeSettings(
        node_id=node_id,
        host="127.0.0.1",
        port=port,
        ping_interval_s=3600,
        log_level="WARNING",
        station_frames_per_s=0,
        station_bytes_per_s=0,
        # the load comes from one address
        max_connections_per_address=1_000_000,
        max_connections=1_000_000,
        **tls,
    )
    configure_logging(settings.log_level)
    for name in (topic, *map(bench_calls_topic, OWNERS)):
        await ensure_topic(settings.kafka_bootstrap, name, BENCH_TOPIC_PARTITIONS, BENCH_TOPIC_CONFIG)
    registry = CachingStationRegistry(
        AcceptAll(),
        accepted_ttl_s=settings.registry_accepted_ttl_s,
        refused_ttl_s=settings.registry_refused_ttl_s,
        max_entries=settings.registry_cache_size,
    )
    producer = AsyncProducer(librdkafka_producer_config(settings.kafka_bootstrap, client_id=f"edge-{node_id}"))
    call_producer = AsyncProducer(bootstrap.call_producer_config(settings.kafka_bootstrap, node_id))
    frame_log = KafkaFrameLog(producer, topic, calls_topic=bench_calls_topic, call_producer=call_producer)
    ready = asyncio.Event()
    node = asyncio.create_task(
        lifecycle.serve(bootstrap.build(settings, registry=registry, frame_log=frame_log), ready)
    )
    try:
        await asyncio.wait({node, asyncio.create_task(ready.wait())}, return_when=asyncio.FIRST_COMPLETED)
        if ready.is_set():
            print("ready", flush=True)
        await node
    finally:
        node.cancel()  # the node drains its stations before the frame log's producer stops
        with contextlib.suppress(asyncio.CancelledError):
            await node
        await producer.stop()
        await call_producer.stop()


async def _echo(ws: ServerConnection) -> None:
    with contextlib.suppress(Exception):
        async for message in ws:
            await ws.send(message)


async def run_echo(port: int) -> None:
    async with serve(_echo, "127.0.0.1", port, compression=None, ping_interval=None, max_size=64 * 1024):
        print("ready", flush=True)
        await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description="a benchmark server: the edge node or a bare websockets echo")
    parser.add_argument("kind", choices=["edge", "echo"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--topic", default=BENCH_TOPIC)
    parser.add_argument("--node-id", default="bench-edge")
    parser.add_argument("--tls-port", type=int, help="edge: also serve wss:// on this port")
    parser.add_argument("--pki", type=Path, help="edge: the development PKI directory of --tls-port")
    args = parser.parse_args()
    if args.kind == "edge":
        run_until_signalled(lambda: run_edge(args.port, args.topic, args.node_id, args.tls_port, args.pki))
    else:
        run_until_signalled(lambda: run_echo(args.port))


if __name__ == "__main__":
    main()
