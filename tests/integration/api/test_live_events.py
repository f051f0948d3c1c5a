"""`GET /api/v1/events` over HTTP (uvicorn on a free port) against the real Kafka: events written in Kafka
transactions reach the stream; a client that disconnects mid-stream and resumes with its last id gets every
event once (also through a catch-up consumer, and with filters); aborted transactions never show; connection
events come from the frame log; a malformed id is refused with 422 problem+json.

Other tests may write to the same topics meanwhile: the assertions look at this module's stations only, whose
events are ordered per station and topic (one partition each).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from csms.envelope.v1 import envelope_pb2
from csms_api.live.config import LiveEventsSettings
from csms_api.live.stream import LiveEvents
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import make_producer
from infra_fixtures import Infra
from kit import live_events_server
from kit.builders import live_events as records
from kit.live_events_server import SseStream
from kit.waiting import wait_until

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]
GROUPS = {f"LE-{RUN}-1": "FLEET-A", f"LE-{RUN}-2": "FLEET-B"}


async def group_of(station_id: str) -> str | None:
    return GROUPS.get(station_id)


@contextlib.asynccontextmanager
async def serving(infra: Infra, settings: LiveEventsSettings) -> AsyncIterator[tuple[str, LiveEvents]]:
    async with live_events_server.serving(infra.kafka_bootstrap, settings, f"api-it-{RUN}", group_of) as served:
        yield served


def label(event: tuple[str, dict[str, Any]]) -> tuple[str, str, str]:
    event_type, data = event
    return data["station_id"], event_type, data.get("message_id") or data["connection_id"]


def per_partition(events: list[tuple[str, str, str]]) -> dict[tuple[str, bool], list[tuple[str, str, str]]]:
    """Events per station and topic: the order Kafka keeps (a station's events of one topic share a partition)."""
    out: dict[tuple[str, bool], list[tuple[str, str, str]]] = {}
    for event in events:
        out.setdefault((event[0], event[1].startswith("transaction.")), []).append(event)
    return out


class Writer:
    """Writes domain events in Kafka transactions, as the services' call runners do."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self.producer = producer
        self.committed: list[tuple[str, str, str]] = []
        self.count = 0

    def _next(self, station_id: str) -> tuple[str, bytes, str, str]:
        self.count += 1
        name = f"m{self.count}"
        match self.count % 5:
            case 0:
                return topics.DEVICE_MODEL_EVENTS, records.booted(station_id, name), "station.booted", name
            case 1:
                return (
                    topics.DEVICE_MODEL_EVENTS,
                    records.status_changed(station_id, name),
                    "connector.status_changed",
                    name,
                )
            case 2:
                value = records.transaction("started", station_id, f"tx-{name}", name)
                return topics.TRANSACTIONS_EVENTS, value, "transaction.started", name
            case 3:
                value = records.transaction("updated", station_id, f"tx-{name}", name)
                return topics.TRANSACTIONS_EVENTS, value, "transaction.updated", name
            case _:
                value = records.transaction("ended", station_id, f"tx-{name}", name)
                return topics.TRANSACTIONS_EVENTS, value, "transaction.ended", name

    async def write(self, stations: list[str], rounds: int, *, abort: bool = False) -> None:
        """`rounds` events per station in one transaction; an aborted one is never visible."""
        written = []
        async with self.producer.transaction():
            for _ in range(rounds):
                for station_id in stations:
                    topic, value, event_type, name = self._next(station_id)
                    await self.producer.send(topic, value, key=station_id.encode())
                    written.append((station_id, event_type, name))
            if abort:
                raise Aborted
        self.committed += written


class Aborted(Exception):
    pass


@pytest.fixture
async def writer(infra: Infra) -> AsyncIterator[Writer]:
    producer = make_producer(infra.kafka_bootstrap, f"api-it-{RUN}", transactional_id=f"api-it-{uuid.uuid4().hex}")
    await producer.start()
    try:
        yield Writer(producer)
    finally:
        await producer.stop()


async def write_aborted(writer: Writer, stations: list[str]) -> None:
    with pytest.raises(Aborted):
        await writer.write(stations, 2, abort=True)


async def test_a_client_that_disconnects_resumes_with_its_last_id_without_gap_or_repeat(
    infra: Infra, writer: Writer
) -> None:
    stations = [f"LE-{RUN}-r{i}" for i in range(4)]
    mine = set(stations)
    async with serving(infra, LiveEventsSettings(ring_events=5)) as (url, live), httpx.AsyncClient() as client:
        first = SseStream(client, f"{url}/api/v1/events")
        await first.opened()
        assert (first.status, first.content_type.split(";")[0]) == (200, "text/event-stream")
        await writer.write(stations, 3)
        await write_aborted(writer, stations)
        await writer.write(stations, 2)
        await first.wait(mine, 10)
        last_id = await first.close()
        seen = [label(e) for e in first.events(mine)]
        assert last_id is not None and seen

        await writer.write(stations, 4)  # while disconnected; the ring (5 events) cannot reach back that far
        await write_aborted(writer, stations)
        resumed = SseStream(client, f"{url}/api/v1/events", headers={"Last-Event-ID": last_id})
        await resumed.wait(mine, len(writer.committed) - len(seen))
        await wait_until(lambda: live.hub.subscribers == 1, timeout_s=30)  # caught up, then joined the tail
        await writer.write(stations, 2)  # after the switch to the shared tail
        await resumed.wait(mine, len(writer.committed) - len(seen))
        await asyncio.sleep(0.5)  # anything repeated would arrive now
        received = seen + [label(e) for e in resumed.events(mine)]
        await resumed.close()

    assert len(received) == len(set(received)), "an event was repeated"
    assert sorted(received) == sorted(writer.committed)
    assert per_partition(received) == per_partition(writer.committed)


async def test_a_filtered_stream_resumes_by_query_parameter_exactly(infra: Infra, writer: Writer) -> None:
    stations = [f"LE-{RUN}-1", f"LE-{RUN}-2", f"LE-{RUN}-f3"]
    wanted = {stations[0]}
    query = f"station_id={stations[0]}&station_id={stations[2]}&group=FLEET-A&type=transaction."
    async with serving(infra, LiveEventsSettings()) as (url, _), httpx.AsyncClient() as client:
        first = SseStream(client, f"{url}/api/v1/events?{query}")
        await first.opened()
        await writer.write(stations, 5)
        await write_aborted(writer, stations)
        expected = [e for e in writer.committed if e[0] in wanted and e[1].startswith("transaction.")]
        await first.wait(wanted, 2)
        last_id = await first.close()
        seen = [label(e) for e in first.events(wanted)]
        await writer.write(stations, 5)
        expected = [e for e in writer.committed if e[0] in wanted and e[1].startswith("transaction.")]
        resumed = SseStream(client, f"{url}/api/v1/events?{query}&last_event_id={last_id}")
        await resumed.wait(wanted, len(expected) - len(seen))
        await asyncio.sleep(0.5)
        received = seen + [label(e) for e in resumed.events(wanted)]
        others = [
            m
            for m in first.messages + resumed.messages
            if m.is_event and json.loads(m.data or "")["station_id"] != stations[0]
        ]
        await resumed.close()

    assert received == expected
    assert others == []


async def test_connection_events_come_from_the_frame_log_by_header(infra: Infra) -> None:
    station_id = f"LE-{RUN}-c1"
    producer = make_producer(infra.kafka_bootstrap, f"api-it-frames-{RUN}")
    await producer.start()
    try:
        async with serving(infra, LiveEventsSettings()) as (url, _), httpx.AsyncClient() as client:
            stream = SseStream(client, f"{url}/api/v1/events?station_id={station_id}")
            await stream.opened()
            for value, headers in (
                records.connection(envelope_pb2.KIND_CONNECTED, station_id, "conn-a"),
                records.frame(station_id),
                records.connection(envelope_pb2.KIND_DISCONNECTED, station_id, "conn-a"),
            ):
                await producer.send_and_wait(topics.FRAMES, value, key=station_id.encode(), headers=headers)
            events = await stream.wait({station_id}, 2)
            await asyncio.sleep(0.3)
            events = stream.events({station_id})
            await stream.close()
    finally:
        await producer.stop()
    assert [(t, d["connection_id"]) for t, d in events] == [
        ("station.connected", "conn-a"),
        ("station.disconnected", "conn-a"),
    ]
    assert events[1][1]["reason"] == "closed by station"


async def test_a_malformed_id_is_refused_with_problem_json(infra: Infra) -> None:
    async with serving(infra, LiveEventsSettings()) as (url, _), httpx.AsyncClient() as client:
        response = await client.get(f"{url}/api/v1/events", headers={"Last-Event-ID": "not-an-id"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["parameter"] == "Last-Event-ID"
