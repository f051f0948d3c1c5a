"""Edge node integration fixtures: a real edge node (real Kafka, real sockets) with a fake station registry.

`infra` (real Kafka) comes from tests/infra_fixtures.py (registered in the root conftest.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from csms.edge.v1 import edge_pb2_grpc
from csms_edge.bootstrap import EdgeNode
from csms_kernel.infra.kafka import make_producer
from kit.edge_node import EdgeHarness, FramesTail, delete_delivery_topic, edge_settings
from kit.fakes.edge import FakeRegistry


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def kafka_producer(infra: Any) -> AsyncIterator[AIOKafkaProducer]:
    producer = make_producer(infra.kafka_bootstrap, "edge-it-service")
    await producer.start()
    yield producer
    await producer.stop()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def edge(infra: Any, kafka_producer: AIOKafkaProducer) -> AsyncIterator[EdgeHarness]:
    registry = FakeRegistry()
    node = EdgeNode(edge_settings(infra.kafka_bootstrap), registry=registry)
    await node.start()
    channel = grpc.aio.insecure_channel(node.grpc_address)
    try:
        yield EdgeHarness(node, registry, kafka_producer, edge_pb2_grpc.EdgeServiceStub(channel))
    finally:
        await channel.close(None)
        await node.stop()
        await delete_delivery_topic(infra.kafka_bootstrap, node.settings.node_id)


@pytest_asyncio.fixture(loop_scope="session")
async def frames(infra: Any, kafka_producer: AIOKafkaProducer) -> AsyncIterator[FramesTail]:
    tail = await FramesTail.start(infra.kafka_bootstrap, kafka_producer)
    yield tail
    await tail.stop()
