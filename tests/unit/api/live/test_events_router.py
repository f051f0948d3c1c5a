"""`GET /api/v1/events` through the ASGI app: the scope dependency, 422 for malformed ids and filters, the
stream's headers and bytes, resuming by header or query parameter, and cleanup when the client goes away."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

import httpx
import pytest
from aiokafka import TopicPartition
from fastapi import FastAPI, Header, HTTPException

from csms_api.api.events import events_part, events_router
from csms_api.domain.keys import Scope
from csms_api.live.errors import BadEventsRequest
from csms_api.live.events import SOURCE_TOPICS
from csms_api.live.filters import GroupCache
from csms_api.live.hub import Hub
from csms_api.live.stream import LiveEvents
from csms_kernel.infra import topics
from kit.builders import live_events as records
from kit.builders.api import Api
from kit.fakes.live_events import FakeLog
from kit.live_events_server import problem
from kit.sse import SseParser
from kit.waiting import wait_until

DM0 = TopicPartition(topics.DEVICE_MODEL_EVENTS, 0)


async def read_scope(authorization: str = Header("")) -> None:
    if authorization != "Bearer reader":
        raise HTTPException(403, "needs the read scope")


async def no_group(station_id: str) -> str | None:
    return None


@contextlib.asynccontextmanager
async def app_with(log: FakeLog) -> AsyncIterator[tuple[FastAPI, LiveEvents]]:
    hub = Hub(log.reader(), SOURCE_TOPICS, ring_events=100, queue_events=100, partitions_refresh_s=60, poll_s=0.05)
    live = LiveEvents(hub, log.reader, GroupCache(no_group, ttl_s=1, size=10), heartbeat_s=15, max_catch_ups=2)
    app = FastAPI()
    app.include_router(events_router(live, read_scope))

    app.add_exception_handler(BadEventsRequest, problem)
    await live.start()
    try:
        yield app, live
    finally:
        await live.stop()


async def get(app: FastAPI, url: str, **headers: str) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
        return await client.get(url, headers=headers)


@pytest.mark.parametrize(
    ("url", "headers", "parameter"),
    [
        ("/api/v1/events", {"Last-Event-ID": "garbage"}, "Last-Event-ID"),
        ("/api/v1/events?last_event_id=AAAAAAAA", {}, "last_event_id"),
        ("/api/v1/events?type=transactions", {}, "type"),
        ("/api/v1/events?station_id=", {}, "station_id"),
    ],
)
async def test_malformed_ids_and_filters_are_refused_with_the_parameter_named(
    url: str, headers: dict[str, str], parameter: str
) -> None:
    async with app_with(FakeLog({t: 1 for t in SOURCE_TOPICS})) as (app, _):
        response = await get(app, url, authorization="Bearer reader", **headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == parameter


async def test_the_read_scope_dependency_guards_the_stream() -> None:
    async with app_with(FakeLog({t: 1 for t in SOURCE_TOPICS})) as (app, _):
        response = await get(app, "/api/v1/events", authorization="Bearer nobody")
    assert response.status_code == 403


async def test_the_openapi_document_describes_the_stream() -> None:
    async with app_with(FakeLog({t: 1 for t in SOURCE_TOPICS})) as (app, _):
        operation = app.openapi()["paths"]["/api/v1/events"]["get"]
    assert "text/event-stream" in operation["responses"]["200"]["content"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "station_id",
        "group",
        "type",
        "last_event_id",
        "Last-Event-ID",
    }


class AsgiStream:
    """One streaming request through the ASGI app, read chunk by chunk; `disconnect()` hangs up."""

    def __init__(self, app: FastAPI, path: str, query: str = "", headers: dict[str, str] | None = None) -> None:
        self.start: MutableMapping[str, Any] = {}
        self.parser = SseParser()
        self.messages: list[Any] = []
        self._gone = asyncio.Event()
        self._requested = False
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": [(b"authorization", b"Bearer reader")]
            + [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
            "client": ("127.0.0.1", 5000),
            "server": ("api", 80),
        }
        self.task = asyncio.create_task(app(scope, self._receive, self._send))

    async def _receive(self) -> dict[str, Any]:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self._gone.wait()
        return {"type": "http.disconnect"}

    async def _send(self, message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        else:
            self.messages += self.parser.feed(message.get("body", b""))

    @property
    def events(self) -> list[Any]:
        return [m for m in self.messages if m.is_event]

    async def disconnect(self) -> None:
        self._gone.set()
        await asyncio.wait_for(self.task, 2)


async def test_a_stream_through_the_app_resumes_by_header_and_by_query_parameter() -> None:
    log = FakeLog({t: 1 for t in SOURCE_TOPICS})
    async with app_with(log) as (app, live):
        first = AsgiStream(app, "/api/v1/events")
        await wait_until(lambda: live.hub.subscribers == 1)
        for i in range(3):
            log.append(DM0, records.booted("CP-1", f"e{i}"))
        await wait_until(lambda: len(first.events) == 3)
        assert first.start["status"] == 200
        headers = dict(first.start["headers"])
        assert headers[b"content-type"].startswith(b"text/event-stream")
        assert headers[b"cache-control"] == b"no-cache"
        assert [m.event for m in first.events] == ["station.booted"] * 3
        await first.disconnect()
        await wait_until(lambda: live.hub.subscribers == 0)

        by_header = AsgiStream(app, "/api/v1/events", headers={"Last-Event-ID": first.events[0].id})
        by_query = AsgiStream(app, "/api/v1/events", query=f"last_event_id={first.events[1].id}&type=station.")
        # a browser reconnecting keeps the URL's last_event_id and sends the later id in the header
        both = AsgiStream(
            app,
            "/api/v1/events",
            query=f"last_event_id={first.events[0].id}",
            headers={"Last-Event-ID": first.events[1].id},
        )
        await wait_until(lambda: (len(by_header.events), len(by_query.events), len(both.events)) == (2, 1, 1))
        assert [m.id for m in by_header.events] == [m.id for m in first.events[1:]]
        assert [m.id for m in by_query.events] == [first.events[2].id]
        assert [m.id for m in both.events] == [first.events[2].id]
        for stream in (by_header, by_query, both):
            await stream.disconnect()
        await wait_until(lambda: live.hub.subscribers == 0)


async def test_as_a_part_of_the_api_it_needs_a_key_and_answers_bad_requests_with_problems() -> None:
    log = FakeLog({t: 1 for t in SOURCE_TOPICS})
    hub = Hub(log.reader(), SOURCE_TOPICS, ring_events=100, queue_events=100, partitions_refresh_s=60, poll_s=0.05)
    live = LiveEvents(hub, log.reader, GroupCache(no_group, ttl_s=1, size=10), heartbeat_s=15, max_catch_ups=2)
    api = Api(parts=[events_part(live)])
    assert live in api.service.resources
    async with api.client() as anonymous:
        assert (await anonymous.get("/api/v1/events")).status_code == 401
    async with await api.as_(Scope.READ) as reader:
        bad_id = await reader.get("/api/v1/events", headers={"Last-Event-ID": "garbage"})
        bad_type = await reader.get("/api/v1/events?type=nope")
    assert (bad_id.status_code, bad_id.headers["content-type"]) == (422, "application/problem+json")
    assert bad_id.json()["errors"][0]["field"] == "header.Last-Event-ID"
    assert bad_type.status_code == 422
    assert bad_type.json()["errors"][0]["field"] == "query.type"
    assert "/api/v1/events" in api.app.openapi()["paths"]
