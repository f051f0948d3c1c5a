"""Handshake cost of the edge node (issue 11): CPU per opening handshake for ws:// (security profile 1), wss://
(profile 2: TLS + Basic auth) and wss:// with a client certificate (profile 3), side by side in one run against
one edge process (`loadtest.servers edge` with an accept-all registry behind the real verdict cache and a real
Kafka frame log: `CSMS_KAFKA_BOOTSTRAP`, default 127.0.0.1:9092).

    .venv/bin/python -m loadtest.bench_handshake [--handshakes 2000] [--concurrency 20] [--rounds 3]

Each handshake is a new TCP (and TLS) connection: opening handshake, then a normal close; no TLS session
resumption (a reconnecting station does not resume either). CPU per handshake = CPU seconds of the edge process
over the handshakes of a mode; the modes alternate each round and the medians are reported. The 10,000-station
SP2 boot storm against the whole stack is `loadtest.bench_stack boot-storm --url wss://...` (`make
bench-handshake` runs both).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

from csms_kernel.pki import certificates as x
from csms_kernel.pki.dev import DevPki, ensure_dev_pki
from loadtest.bench_edge import HOST, free_port, server
from loadtest.procstat import cpu_seconds, load_average
from loadtest.station_socket import basic_auth

PASSWORD = "bench-password-0001"
MODES = ("ws", "wss-sp2", "wss-sp3")
OUT = Path(os.environ.get("CSMS_INFRA_DIR") or ".infra") / "bench"


@dataclass(frozen=True)
class Result:
    mode: str
    handshakes: int
    failures: int
    seconds: float
    edge_cpu_ms_per_handshake: float
    client_cpu_ms_per_handshake: float

    @property
    def rate(self) -> float:
        return self.handshakes / self.seconds if self.seconds else 0.0


def station_contexts(pki: DevPki, workers: int) -> list[tuple[str, ssl.SSLContext]]:
    """One station id and its profile 3 TLS context (a certificate with CN = the id) per worker."""
    ca, ca_key = x.load_certificates(pki.station_ca.certificate)[0], x.load_key(pki.station_ca.key)
    out = []
    for worker in range(workers):
        station_id = f"HS-{worker:04d}"
        key = x.new_key()
        certificate = x.issue(ca, ca_key, x.name(station_id), key.public_key(), days=1)
        x.write_key(pki.directory / "bench" / f"{station_id}.key", key)
        x.write_certificate(pki.directory / "bench" / f"{station_id}.pem", certificate)
        context = ssl.create_default_context(cafile=str(pki.root_ca.certificate))
        context.load_cert_chain(
            pki.directory / "bench" / f"{station_id}.pem", pki.directory / "bench" / f"{station_id}.key"
        )
        out.append((station_id, context))
    return out


async def handshakes(
    mode: str,
    count: int,
    workers: int,
    ports: tuple[int, int],
    pki: DevPki,
    certified: list[tuple[str, ssl.SSLContext]],
) -> tuple[int, float]:
    """`count` handshakes of `mode` by `workers` concurrent stations; returns (failures, seconds)."""
    server_only = ssl.create_default_context(cafile=str(pki.root_ca.certificate))
    remaining = count
    failures = 0

    async def worker(index: int) -> None:
        nonlocal remaining, failures
        station_id, certified_context = certified[index]
        options: dict[str, Any] = {"subprotocols": [Subprotocol("ocpp2.0.1")], "compression": None, "open_timeout": 30}
        if mode == "ws":
            url = f"ws://{HOST}:{ports[0]}/ocpp/{station_id}"
        else:
            url = f"wss://{HOST}:{ports[1]}/ocpp/{station_id}"
            options["ssl"] = certified_context if mode == "wss-sp3" else server_only
        if mode != "wss-sp3":
            options["additional_headers"] = {"Authorization": basic_auth(station_id, PASSWORD)}
        while remaining > 0:
            remaining -= 1
            try:
                async with connect(url, **options) as ws:
                    await ws.close()
            except Exception:
                failures += 1

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(workers)))
    return failures, time.monotonic() - started


async def bench(count: int, workers: int, rounds: int) -> list[Result]:
    with tempfile.TemporaryDirectory(prefix="bench-handshake-") as directory:
        pki = ensure_dev_pki(Path(directory))
        certified = station_contexts(pki, workers)
        tls_port = free_port()
        async with server("edge", "--tls-port", str(tls_port), "--pki", directory) as (pid, port):
            await handshakes("ws", workers, workers, (port, tls_port), pki, certified)  # warm up: verdict cache
            samples: dict[str, list[Result]] = {mode: [] for mode in MODES}
            for round_ in range(rounds):
                for mode in MODES:
                    edge0, client0 = cpu_seconds(pid), time.process_time()
                    failures, seconds = await handshakes(mode, count, workers, (port, tls_port), pki, certified)
                    edge, client = cpu_seconds(pid) - edge0, time.process_time() - client0
                    result = Result(mode, count, failures, seconds, edge * 1000 / count, client * 1000 / count)
                    samples[mode].append(result)
                    print(
                        f"round {round_ + 1} {mode:8s} {result.rate:7.0f} handshakes/s  edge "
                        f"{result.edge_cpu_ms_per_handshake:6.2f} ms CPU/handshake  client "
                        f"{result.client_cpu_ms_per_handshake:6.2f}  failures {failures}",
                        flush=True,
                    )
    return [median(samples[mode]) for mode in MODES]


def median(results: list[Result]) -> Result:
    first = results[0]
    return Result(
        first.mode,
        first.handshakes,
        sum(r.failures for r in results),
        statistics.median(r.seconds for r in results),
        statistics.median(r.edge_cpu_ms_per_handshake for r in results),
        statistics.median(r.client_cpu_ms_per_handshake for r in results),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--handshakes", type=int, default=2000, help="per mode and round (default %(default)s)")
    parser.add_argument("--concurrency", type=int, default=20, help="stations handshaking at once")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; {load_average()}", flush=True)
    results = asyncio.run(bench(args.handshakes, args.concurrency, args.rounds))
    print(f"medians of {args.rounds} rounds, {args.handshakes} handshakes each ({load_average()}):")
    for result in results:
        print(
            f"  {result.mode:8s} edge {result.edge_cpu_ms_per_handshake:6.2f} ms CPU per handshake, "
            f"{result.rate:7.0f} handshakes/s, {result.failures} failures"
        )
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "handshake.json").write_text(json.dumps([asdict(result) for result in results], indent=2))


if __name__ == "__main__":
    main()
