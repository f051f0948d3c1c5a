"""The live events router served over HTTP for integration and e2e tests: uvicorn on a free 127.0.0.1 port,
`csms_api.live` over the real Kafka, the `BadEventsRequest` → 422 problem+json mapping the API applies, and an
SSE client that reads a stream in a task and can hang up mid-stream. Side effects: a server task, Kafka
consumers, HTTP connections."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from csms_api.api.events import events_router
from csms_api.live.config import LiveEventsSettings
from csms_api.live.errors import BadEventsRequest
from csms_api.live.filters import GroupOf
from csms_api.live.stream import LiveEvents, kafka_live_events
from csms_kernel.infra.client_security import PLAINTEXT
from kit.sse import SseMessage, SseParser
from kit.waiting import wait_until


async def anyone() -> None:
    """The scope dependency of these servers: every request may read."""


async def no_group(station_id: str) -> str | None:
    return None


async def problem(request: Request, exc: Exception) -> JSONResponse:
    """Stands in for the API's problem+json handler."""
    assert isinstance(exc, BadEventsRequest)
    body = {"title": "Unprocessable request", "status": 422, "detail": exc.detail, "parameter": exc.parameter}
    return JSONResponse(body, status_code=422, media_type="application/problem+json")


@contextlib.asynccontextmanager
async def serving(
    bootstrap: str, settings: LiveEventsSettings, client_id: str, group_of: GroupOf = no_group
) -> AsyncIterator[tuple[str, LiveEvents]]:
    """(base URL, live events) of a server started for the block."""
    live = kafka_live_events(settings, bootstrap, PLAINTEXT, group_of, client_id)
    app = FastAPI()
    app.include_router(events_router(live, anyone))
    app.add_exception_handler(BadEventsRequest, problem)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off", timeout_graceful_shutdown=2)
    )
    await live.start()
    task = asyncio.create_task(server.serve())
    try:
        await wait_until(lambda: server.started and live.ready, timeout_s=30)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}", live
    finally:
        await live.stop()
        server.should_exit = True
        await asyncio.wait_for(task, 10)


class SseStream:
    """One SSE request, read in a task; `close()` disconnects mid-stream."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> None:
        self.parser = SseParser()
        self.messages: list[SseMessage] = []
        self.status = 0
        self.content_type = ""
        self._task = asyncio.create_task(self._read(client, url, headers or {}))

    async def _read(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        async with client.stream("GET", url, headers=headers, timeout=None) as response:
            self.status = response.status_code
            self.content_type = response.headers["content-type"]
            async for chunk in response.aiter_raw():
                self.messages += self.parser.feed(chunk)

    def events(self, stations: set[str]) -> list[tuple[str, dict[str, Any]]]:
        """(type, data) of the events of these stations, in arrival order."""
        out = []
        for message in self.messages:
            if message.is_event and message.event != "gap":
                data = json.loads(message.data or "")
                if data["station_id"] in stations:
                    out.append((message.event or "", data))
        return out

    async def opened(self) -> None:
        await wait_until(lambda: any("open" in m.comments for m in self.messages), timeout_s=30)

    async def wait(self, stations: set[str], count: int, timeout_s: float = 30) -> list[tuple[str, dict[str, Any]]]:
        await wait_until(lambda: len(self.events(stations)) >= count or self._task.done(), timeout_s=timeout_s)
        return self.events(stations)

    async def close(self) -> str | None:
        """Hangs up; the last event id received."""
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return self.parser.last_event_id
