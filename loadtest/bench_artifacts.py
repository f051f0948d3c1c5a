"""Benchmark: firmware download throughput of one artifact server process to N concurrent stations.

Starts the station-facing artifact server (csms_firmware.artifacts, `build_artifacts` as the firmware process wires
it, a local store in a temporary directory; downloads touch no Cassandra) in a child process pinned to nothing, puts
one image of `--size-mib` in its store, then runs `--clients` concurrent HTTP clients (aiohttp) in this process, each
downloading the image `--rounds` times through its signed URL and checking the bytes' SHA-256. A `--resume-share`
of the clients break each download off halfway and resume it as a station does (`Range: bytes=<n>-`, `If-Range:
<etag>`, 206). Reports the wall time, the aggregate throughput, the per-download p50/p99, the resumes and the
server's CPU seconds (from /proc).

    python -m loadtest.bench_artifacts --clients 500 --size-mib 8 --rounds 1 --resume-share 0.1 [--json out.json]

Against a running firmware process instead (`make up`; upload an image, then `csms artifacts url IMAGE_ID`):

    python -m loadtest.bench_artifacts --url SIGNED_URL --sha256 HEX --server-pid PID --clients 500

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
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

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


async def _fetch(
    session: aiohttp.ClientSession, url: str, sha: Any, headers: dict[str, str], stop: int
) -> tuple[int, str]:
    """Streams the answer into `sha` (at most `stop` bytes when positive: a broken-off transfer); the bytes read
    and the entity tag."""
    received = 0
    async with session.get(url, headers=headers) as answer:
        answer.raise_for_status()
        if headers and answer.status != 206:
            raise RuntimeError(f"a resume was answered {answer.status}, not 206")
        async for chunk in answer.content.iter_chunked(256 * 1024):
            if stop and received + len(chunk) >= stop:
                sha.update(chunk[: stop - received])
                received = stop
                break
            sha.update(chunk)
            received += len(chunk)
        return received, answer.headers.get("ETag", "")


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    resumes: int = 0


async def _client(
    session: aiohttp.ClientSession, url: str, rounds: int, digest: str, resume: bool, size: int, tally: Tally
) -> int:
    received = 0
    for _ in range(rounds):
        started = time.perf_counter()
        sha = hashlib.sha256()
        if resume:
            half, etag = await _fetch(session, url, sha, {}, size // 2)
            rest, _ = await _fetch(session, url, sha, {"Range": f"bytes={half}-", "If-Range": etag}, 0)
            received += half + rest
            tally.resumes += 1
        else:
            got, _ = await _fetch(session, url, sha, {}, 0)
            received += got
        if sha.hexdigest() != digest:
            raise RuntimeError("a download did not have the image's SHA-256")
        tally.times.append(time.perf_counter() - started)
    return received


async def _size(url: str) -> int:
    async with aiohttp.ClientSession() as session, session.head(url) as answer:
        answer.raise_for_status()
        return int(answer.headers["Content-Length"])


async def _load(
    url: str, clients: int, rounds: int, digest: str, resume_share: float, timeout_s: float
) -> tuple[int, float, Tally]:
    tally = Tally()
    size = await _size(url)
    resumers = round(clients * resume_share)
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=timeout_s)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        received = await asyncio.gather(
            *(_client(session, url, rounds, digest, i < resumers, size, tally) for i in range(clients))
        )
        wall = time.perf_counter() - started
    return sum(received), wall, tally


@dataclass
class LocalServer:
    url: str
    digest: str
    process: Any
    pipe: Connection

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()


def _local_server(size: int, root: str) -> LocalServer:
    """The image in a temporary store and a server process over it."""
    key = "images/bench/firmware.bin"
    image = Path(root, *key.split("/"))
    image.parent.mkdir(parents=True)
    data = os.urandom(size)
    image.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    del data
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(root, key, theirs), daemon=True)
    process.start()
    if not ours.poll(60):
        process.kill()
        raise SystemExit("the artifact server did not start within 60 s")
    return LocalServer(str(ours.recv()), digest, process, ours)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--size-mib", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--resume-share", type=float, default=0.1, help="share of clients that resume (0-1)")
    parser.add_argument("--url", help="a signed download URL of a running server (default: start one)")
    parser.add_argument("--sha256", help="with --url: the image's SHA-256")
    parser.add_argument("--server-pid", type=int, help="with --url: the server's pid, for its CPU seconds")
    parser.add_argument("--timeout-s", type=float, default=600.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.url and not args.sha256:
        parser.error("--url needs --sha256")
    if not 0 <= args.resume_share <= 1:
        parser.error("--resume-share is a share: 0 to 1")
    with tempfile.TemporaryDirectory(prefix="bench-artifacts-") as root:
        server = None if args.url else _local_server(int(args.size_mib * 1024 * 1024), root)
        url, digest = (args.url, args.sha256) if server is None else (server.url, server.digest)
        pid = args.server_pid if server is None else server.process.pid
        try:
            cpu_before = cpu_seconds(pid) if pid else 0.0
            received, wall, tally = asyncio.run(
                _load(url, args.clients, args.rounds, digest, args.resume_share, args.timeout_s)
            )
            cpu = cpu_seconds(pid) - cpu_before if pid else None
        finally:
            if server is not None:
                server.stop()
    times = sorted(tally.times)
    figures = {
        "clients": args.clients,
        "rounds": args.rounds,
        "downloads": len(times),
        "resumed": tally.resumes,
        "bytes": received,
        "wall_s": round(wall, 3),
        "throughput_mib_s": round(received / wall / 1024 / 1024, 1),
        "download_p50_s": round(statistics.median(times), 3),
        "download_p99_s": round(times[min(len(times) - 1, int(len(times) * 0.99))], 3),
        "server_cpu_s": None if cpu is None else round(cpu, 2),
        "server_cpu_s_per_gib": None if cpu is None else round(cpu / (received / 1024**3), 2),
        "cpus": os.cpu_count(),
        "load": load_average(),
    }
    print(json.dumps(figures, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
