"""Benchmark: firmware download throughput of one artifact server process to N concurrent stations.

Starts the station-facing artifact server (csms_firmware.artifacts, `build_artifacts` as the firmware process wires
it, a local store in a temporary directory; downloads touch no Cassandra) in a child process pinned to nothing, puts
one image of `--size-mib` in its store, then runs `--clients` concurrent HTTP clients (aiohttp) in this process, each
downloading the image `--rounds` times through its signed URL and checking the bytes' SHA-256. Reports the wall
time, the aggregate throughput, the per-download p50/p99 and the server's CPU seconds (from /proc).

    python -m loadtest.bench_artifact_download --clients 500 --size-mib 8 --rounds 1 [--json out.json]

Loopback only; bounded by `--clients` x `--rounds` downloads and `--timeout-s`. Side effects: a temporary directory,
a child process, a TCP port on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import multiprocessing
import os
import statistics
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path

import aiohttp
from pydantic import SecretStr

from loadtest.procstat import cpu_seconds, load_average

SECRET = "bench-artifact-secret"


def _serve(root: str, key: str, pipe: Connection) -> None:
    """The server process: the artifact server on a free port; sends the image's signed URL, serves until told."""
    from csms_firmware.artifacts.bootstrap import build_artifacts
    from csms_firmware.artifacts.settings import ArtifactSettings
    from csms_kernel.infra.cassandra import CassandraSession

    async def main() -> None:
        settings = ArtifactSettings(http_listen="127.0.0.1:0", store_dir=Path(root), url_secret=SecretStr(SECRET))
        unused = CassandraSession(["127.0.0.1"], 9042, "datacenter1", None)  # never started: downloads need none
        built = build_artifacts(settings, unused)
        assert built.server is not None
        await built.server.start()
        pipe.send(built.artifacts.download_url(key, station_id="bench").url)
        await asyncio.to_thread(pipe.recv)
        await built.server.stop()

    asyncio.run(main())


async def _client(session: aiohttp.ClientSession, url: str, rounds: int, digest: str, times: list[float]) -> int:
    received = 0
    for _ in range(rounds):
        started = time.perf_counter()
        sha = hashlib.sha256()
        async with session.get(url) as answer:
            answer.raise_for_status()
            async for chunk in answer.content.iter_chunked(256 * 1024):
                sha.update(chunk)
                received += len(chunk)
        if sha.hexdigest() != digest:
            raise RuntimeError("a download did not have the image's SHA-256")
        times.append(time.perf_counter() - started)
    return received


async def _load(url: str, clients: int, rounds: int, digest: str, timeout_s: float) -> tuple[int, float, list[float]]:
    times: list[float] = []
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        received = await asyncio.gather(*(_client(session, url, rounds, digest, times) for _ in range(clients)))
        wall = time.perf_counter() - started
    return sum(received), wall, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--size-mib", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--timeout-s", type=float, default=600.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    size = int(args.size_mib * 1024 * 1024)
    with tempfile.TemporaryDirectory(prefix="bench-artifacts-") as root:
        key = "images/bench/firmware.bin"
        image = Path(root, *key.split("/"))
        image.parent.mkdir(parents=True)
        data = os.urandom(size)
        image.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        del data
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        server = context.Process(target=_serve, args=(root, key, theirs), daemon=True)
        server.start()
        try:
            if not ours.poll(60):
                raise SystemExit("the artifact server did not start within 60 s")
            url = str(ours.recv())
            assert server.pid is not None
            cpu_before = cpu_seconds(server.pid)
            received, wall, times = asyncio.run(_load(url, args.clients, args.rounds, digest, args.timeout_s))
            cpu = cpu_seconds(server.pid) - cpu_before
        finally:
            ours.send("stop")
            server.join(30)
            if server.is_alive():
                server.kill()
    times.sort()
    figures = {
        "clients": args.clients,
        "rounds": args.rounds,
        "image_bytes": size,
        "downloads": len(times),
        "bytes": received,
        "wall_s": round(wall, 3),
        "throughput_mib_s": round(received / wall / 1024 / 1024, 1),
        "download_p50_s": round(statistics.median(times), 3),
        "download_p99_s": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_s_per_gib": round(cpu / (received / 1024**3), 2),
        "load": load_average(),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
