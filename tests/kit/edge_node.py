"""Helpers of the edge integration tests: the harness around a running node and a tail of the frame log."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import websockets
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from csms.envelope.v1 import envelope_pb2
from csms_edge.bootstrap import EdgeNode
from csms_edge.settings import EdgeSettings
from csms_kernel.infra import topics
from csms_kernel.infra.kafka import envelope_headers
from kit.fakes.edge import FakeRegistry
from loadtest.station_socket import basic_auth

DEADLINE_S = 20.0


def new_station_id() -> str:
    return f"CS-{uuid.uuid4().hex[:12]}"


def edge_settings(kafka_bootstrap: str, **overrides: Any) -> EdgeSettings:
    fields: dict[str, Any] = {
        "node_id": f"edge-it-{uuid.uuid4().hex[:8]}",
        "host": "127.0.0.1",
        "port": 0,
        "grpc_listen": "127.0.0.1:0",
        "kafka_bootstrap": kafka_bootstrap,
        "tenant": "it",
        "drain_timeout_s": 5.0,
        "close_timeout_s": 2.0,
    }
    fields.update(overrides)
    return EdgeSettings(**fields)


@dataclass
class EdgeHarness:
    node: EdgeNode
    registry: FakeRegistry
    producer: AIOKafkaProducer
    stub: Any  # EdgeServiceAsyncStub

    @property
    def node_id(self) -> str:
        return self.node.settings.node_id

    def url(self, station_id: str) -> str:
        return f"ws://127.0.0.1:{self.node.ws_port}/ocpp/{quote(station_id, safe='')}"

    def register(self, station_id: str | None = None, password: str = "s3cret-password") -> tuple[str, str]:
        station_id = station_id or new_station_id()
        self.registry.credentials[station_id] = password
        return station_id, password

    def connect(
        self,
        station_id: str,
        password: str,
        subprotocols: tuple[str, ...] = ("ocpp2.0.1",),
        **kwargs: Any,
    ) -> connect:
        return websockets.connect(
            self.url(station_id),
            subprotocols=[Subprotocol(s) for s in subprotocols],
            additional_headers={"Authorization": basic_auth(station_id, password)},
            open_timeout=10,
            **kwargs,
        )

    async def deliver(self, envelope: envelope_pb2.Envelope) -> None:
        """What an owning service does: put a record on this node's delivery topic."""
        await self.producer.send_and_wait(
            topics.delivery(self.node_id),
            envelope.SerializeToString(),
            key=envelope.station_id.encode(),
            headers=envelope_headers(envelope),
        )


class FramesTail:
    """Reads `ocpp.frames.v1` from the end as it was when the tail started."""

    def __init__(self, consumer: AIOKafkaConsumer) -> None:
        self.consumer = consumer
        self.records: list[ConsumerRecord[bytes, bytes]] = []

    @classmethod
    async def start(cls, bootstrap: str, producer: AIOKafkaProducer) -> FramesTail:
        partitions = sorted(await producer.partitions_for(topics.FRAMES))
        consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap, enable_auto_commit=False, isolation_level="read_committed"
        )
        await consumer.start()
        assignment = [TopicPartition(topics.FRAMES, p) for p in partitions]
        consumer.assign(assignment)
        await consumer.seek_to_end(*assignment)
        for tp in assignment:
            await consumer.position(tp)  # resolve the end offsets now, before the test acts
        return cls(consumer)

    async def stop(self) -> None:
        await self.consumer.stop()

    def envelopes(self, station_id: str) -> list[envelope_pb2.Envelope]:
        result = []
        for record in self.records:
            if record.key == station_id.encode():
                envelope = envelope_pb2.Envelope()
                envelope.ParseFromString(record.value or b"")
                result.append(envelope)
        return result

    def records_of(self, station_id: str) -> list[ConsumerRecord[bytes, bytes]]:
        return [r for r in self.records if r.key == station_id.encode()]

    async def wait_for(
        self, station_id: str, predicate: Callable[[list[envelope_pb2.Envelope]], bool], timeout_s: float = DEADLINE_S
    ) -> list[envelope_pb2.Envelope]:
        """Reads until `predicate(envelopes of the station)` holds (deadline)."""
        async with asyncio.timeout(timeout_s):
            while not predicate(self.envelopes(station_id)):
                batches = await self.consumer.getmany(timeout_ms=100)
                for batch in batches.values():
                    self.records.extend(batch)
        return self.envelopes(station_id)


def kinds(envelopes: list[envelope_pb2.Envelope]) -> list[str]:
    return [envelope_pb2.Kind.Name(e.kind) for e in envelopes]


async def recv(ws: ClientConnection, timeout_s: float = DEADLINE_S) -> str | bytes:
    return await asyncio.wait_for(ws.recv(), timeout_s)


async def delete_delivery_topic(bootstrap: str, node_id: str) -> None:
    """Removes a test node's delivery topic (every test session creates a fresh node id)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="edge-it-cleanup")
    await admin.start()
    try:
        await admin.delete_topics([topics.delivery(node_id)])
    finally:
        await admin.close()
