"""The simulator's firmware transfers over real sockets (issue 13, item 4): an image downloaded from a local
aiohttp server that breaks the first transfer off mid-body, resumed with a Range request, and log files uploaded
(PUT, 1.6 multipart POST) to it; then a small whole run: simulated 1.6, 2.0.1 and 2.1 stations against a minimal
OCPP server that sends each one UpdateFirmware for an image on a plain `http.server`, and each station comes
back booting the image's version. No Kafka or Cassandra."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from websockets.asyncio.server import ServerConnection, serve

from csms_kernel.ocpp.versions import OcppVersion
from kit.waiting import eventually
from loadtest.simulator.config import Config, Scenario
from loadtest.simulator.firmware import FirmwareAgent, Timing, client_factory, image
from loadtest.simulator.runner import Simulator

IMAGE = image("3.1.4", 300_000)
CUT_AT = 100_000


class Files:
    """An aiohttp server of one image (Range, If-Range on its entity tag) whose first transfer breaks off, and
    an upload endpoint."""

    def __init__(self) -> None:
        self.ranges: list[str | None] = []
        self.uploads: list[tuple[str, str, bytes]] = []
        self.cut = True

    async def download(self, request: web.Request) -> web.StreamResponse:
        wanted = request.headers.get("Range")
        self.ranges.append(wanted)
        etag = '"' + hashlib.sha256(IMAGE).hexdigest()[:16] + '"'
        start = 0
        if wanted and request.headers.get("If-Range") == etag:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
        headers = {"ETag": etag, "Accept-Ranges": "bytes", "Content-Length": str(len(IMAGE) - start)}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(IMAGE) - 1}/{len(IMAGE)}"
        response = web.StreamResponse(status=206 if start else 200, headers=headers)
        await response.prepare(request)
        if self.cut and not start:
            self.cut = False
            await response.write(IMAGE[:CUT_AT])
            assert request.transport is not None
            request.transport.abort()
            return response
        await response.write(IMAGE[start:])
        await response.write_eof()
        return response

    async def upload(self, request: web.Request) -> web.Response:
        self.uploads.append((request.method, request.content_type, await request.read()))
        return web.Response(status=201)


@pytest.fixture
async def files() -> AsyncIterator[tuple[Files, str]]:
    served = Files()
    app = web.Application()
    app.router.add_get("/artifacts/fw.bin", served.download)
    app.router.add_route("PUT", "/uploads/{token}", served.upload)
    app.router.add_route("POST", "/uploads/{token}", served.upload)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield served, f"http://127.0.0.1:{port}"
    await runner.cleanup()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.reboots: list[str] = []

    async def call(self, action: str, payload: dict[str, Any]) -> dict[str, Any] | None:
        self.calls.append((action, payload))
        return {}

    async def reboot(self, reason: str) -> None:
        self.reboots.append(reason)


def agent(version: OcppVersion) -> FirmwareAgent:
    return FirmwareAgent("SIM-9", version, "1.0.0", timing=Timing(0, 0), clients=client_factory(timeout_s=10))


async def test_a_download_broken_off_mid_body_resumes_from_where_it_stopped(files: tuple[Files, str]) -> None:
    served, base = files
    fw = agent(OcppVersion.V201)
    location = f"{base}/artifacts/fw.bin?expires=9&signature=s#sha256={hashlib.sha256(IMAGE).hexdigest()}"
    payload = {
        "requestId": 1,
        "retries": 2,
        "retryInterval": 0,
        "firmware": {"location": location, "retrieveDateTime": "2026-01-01T00:00:00Z"},
    }
    answered = fw.answer("UpdateFirmware", payload, "2026-12-06T12:00:00Z")
    assert answered is not None
    station = Recorder()
    answered[1](station)
    await fw.wait()
    assert [p["status"] for _, p in station.calls] == [
        "Downloading",
        "Downloaded",
        "SignatureVerified",
        "Installing",
        "Installed",
    ]
    assert served.ranges[0] is None and served.ranges[1] is not None
    resumed_from = int(served.ranges[1].removeprefix("bytes=").rstrip("-"))
    assert 0 < resumed_from <= CUT_AT and len(served.ranges) == 2
    assert station.reboots == ["FirmwareUpdate"] and fw.firmware_version == "3.1.4"


async def test_logs_are_uploaded_with_put_and_1_6_diagnostics_as_multipart(files: tuple[Files, str]) -> None:
    served, base = files
    fw = agent(OcppVersion.V21)
    station = Recorder()
    payload = {"logType": "DiagnosticsLog", "requestId": 5, "log": {"remoteLocation": f"{base}/uploads/t1"}}
    answered = fw.answer("GetLog", payload, "2026-12-06T12:00:00Z")
    assert answered is not None
    answered[1](station)
    await fw.wait()
    fw16 = agent(OcppVersion.V16)
    answered = fw16.answer("GetDiagnostics", {"location": f"{base}/uploads/t2"}, "2026-12-06T12:00:00Z")
    assert answered is not None
    answered[1](station)
    await fw16.wait()
    assert [(a, p["status"]) for a, p in station.calls] == [
        ("LogStatusNotification", "Uploading"),
        ("LogStatusNotification", "Uploaded"),
        ("DiagnosticsStatusNotification", "Uploading"),
        ("DiagnosticsStatusNotification", "Uploaded"),
    ]
    (put, put_type, put_body), (post, post_type, post_body) = served.uploads
    assert (put, put_type, put_body.count(b"\n")) == ("PUT", "text/plain", 200)
    assert (post, post_type) == ("POST", "multipart/form-data") and b"SIM-9-diagnostics.log" in post_body


@pytest.fixture
def plain_http(tmp_path: Path) -> Iterator[str]:
    """Python's own `http.server` serving a directory with the image in it (no Range support)."""
    (tmp_path / "fw-3.1.4.bin").write_bytes(IMAGE)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/fw-3.1.4.bin"
    server.shutdown()
    server.server_close()


class MiniCsms:
    """Accepts every boot; after a station's first boot sends it UpdateFirmware for `location`; records what the
    stations send."""

    def __init__(self, location: str) -> None:
        self.location = location
        self.received: dict[str, list[tuple[str, dict[str, Any]]]] = {}

    async def handle(self, ws: ServerConnection) -> None:
        station_id = ws.request.path.rsplit("/", 1)[-1] if ws.request else ""
        version = ws.subprotocol or ""
        async for raw in ws:
            frame = json.loads(raw)
            if frame[0] != 2:
                continue
            seen = self.received.setdefault(station_id, [])
            seen.append((frame[2], frame[3]))
            answer: dict[str, Any] = {}
            if frame[2] == "BootNotification":
                answer = {"status": "Accepted", "currentTime": "2026-12-06T12:00:00Z", "interval": 300}
            await ws.send(json.dumps([3, frame[1], answer]))
            if frame[2] == "BootNotification" and sum(a == "BootNotification" for a, _ in seen) == 1:
                await ws.send(json.dumps([2, "u1", "UpdateFirmware", self.update(version)]))

    def update(self, subprotocol: str) -> dict[str, Any]:
        if subprotocol == "ocpp1.6":
            return {"location": self.location, "retrieveDate": "2026-01-01T00:00:00Z", "retries": 1}
        return {"requestId": 3, "firmware": {"location": self.location, "retrieveDateTime": "2026-01-01T00:00:00Z"}}


async def test_a_small_run_updates_a_station_of_each_version_from_a_plain_http_server(plain_http: str) -> None:
    csms = MiniCsms(plain_http)
    async with serve(csms.handle, "127.0.0.1", 0, subprotocols=["ocpp1.6", "ocpp2.0.1", "ocpp2.1"]) as server:  # type: ignore[list-item]
        port = next(iter(server.sockets)).getsockname()[1]
        config = Config(
            url=f"ws://127.0.0.1:{port}/ocpp",
            stations=3,
            mix=((OcppVersion.V16, 1.0), (OcppVersion.V201, 1.0), (OcppVersion.V21, 1.0)),
            scenarios=(Scenario.STEADY,),
            duration_s=60,
            rate=0,
            progress_interval_s=60,
            firmware_timing=Timing(0.1, 0.1),
        )
        simulator = Simulator(config, out=lambda line: None)
        run = asyncio.create_task(simulator.run())

        async def received() -> dict[str, list[tuple[str, dict[str, Any]]]]:
            return csms.received

        def all_rebooted(seen: dict[str, list[tuple[str, dict[str, Any]]]]) -> bool:
            boots = [[a for a, _ in calls if a == "BootNotification"] for calls in seen.values()]
            return len(boots) == 3 and all(len(b) == 2 for b in boots)

        try:
            got = await eventually(received, all_rebooted, timeout_s=30, what="every station booted twice")
        finally:
            for station in simulator.stations:
                await station.close()
            run.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await run
    for station in simulator.stations:
        seen = got[station.station_id]
        statuses = [p["status"] for a, p in seen if a == "FirmwareStatusNotification"]
        boot = [p for a, p in seen if a == "BootNotification"][1]
        if station.version is OcppVersion.V16:
            assert statuses == ["Downloading", "Downloaded", "Installing", "Installed"]
            assert boot["firmwareVersion"] == "3.1.4"
        else:
            assert statuses == ["Downloading", "Downloaded", "SignatureVerified", "Installing", "Installed"]
            assert boot["chargingStation"]["firmwareVersion"] == "3.1.4" and boot["reason"] == "FirmwareUpdate"
        first_boot = next(p for a, p in seen if a == "BootNotification")
        assert "1.0.0" in json.dumps(first_boot)
