"""The API's HTTP server inside the kernel lifecycle, on a real socket: it serves once started, and a stop lets a
request in progress finish while new connections are refused."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI

from csms_api.adapters.http_server import HttpServer

pytestmark = pytest.mark.integration


async def test_serves_then_stops_gracefully() -> None:
    app = FastAPI()
    started, release = asyncio.Event(), asyncio.Event()

    @app.get("/slow")
    async def slow() -> dict[str, bool]:
        started.set()
        await release.wait()
        return {"finished": True}

    server = HttpServer(app, "127.0.0.1", 0, grace_s=5, access_log=False)
    await server.start()
    url = server.url
    loop = asyncio.create_task(server.run())
    async with httpx.AsyncClient(base_url=url, trust_env=False) as client:
        in_progress = asyncio.create_task(client.get("/slow"))
        await started.wait()
        loop.cancel()
        stopping = asyncio.create_task(server.stop())
        await wait_refused(url)
        release.set()
        answer = await in_progress
        await stopping
    assert answer.json() == {"finished": True}
    assert server.port is None


async def wait_refused(url: str) -> None:
    """Until a new connection to `url` is refused (the server stopped listening)."""
    async with httpx.AsyncClient(base_url=url, trust_env=False) as other:
        async with asyncio.timeout(5):
            while True:
                try:
                    await other.get("/slow", timeout=0.2)
                except httpx.ConnectError:
                    return
                except httpx.TimeoutException:
                    pass
                await asyncio.sleep(0.05)


async def test_a_taken_port_fails_the_start() -> None:
    first = HttpServer(FastAPI(), "127.0.0.1", 0, grace_s=1, access_log=False)
    await first.start()
    try:
        second = HttpServer(FastAPI(), "127.0.0.1", first.port or 0, grace_s=1, access_log=False)
        with pytest.raises(RuntimeError, match=r"cannot serve HTTP on 127\.0\.0\.1"):
            await second.start()
    finally:
        await first.stop()
