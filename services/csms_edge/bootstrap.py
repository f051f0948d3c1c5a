"""All wiring of the edge node, its start-up and its graceful drain. Tests swap the ports for fakes here.

Start-up: Kafka producer → delivery topic (created if missing) and its consumer → gRPC EdgeService →
station WebSocket endpoint. Drain (SIGTERM/SIGINT): stop accepting connections, let the delivery consumer
finish the batch in hand (bounded), close station sockets with 1001 "going away" (their DISCONNECTED
events are recorded), stop gRPC, flush and stop the producer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Awaitable
from dataclasses import dataclass, field

import grpc
from aiokafka import AIOKafkaConsumer
from websockets.asyncio.server import Server, serve

from csms.edge.v1 import edge_pb2_grpc
from csms_edge.adapters.delivery import DeliveryConsumer, DeliveryHandler, group_id
from csms_edge.adapters.delivery_topic import ensure_delivery_topic
from csms_edge.adapters.frame_log import FrameLog, KafkaFrameLog
from csms_edge.adapters.kafka_producer import AsyncProducer
from csms_edge.adapters.station_registry import CachingStationRegistry, GrpcStationRegistry, StationRegistry
from csms_edge.adapters.ws_server import StationEndpoint
from csms_edge.api.grpc_api import SERVICE_NAME, EdgeServicer
from csms_edge.app.connections import ConnectionTable
from csms_edge.app.session import SessionContext
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_edge.settings import EdgeSettings
from csms_kernel.infra.grpc_server import GrpcServer, build_server
from csms_kernel.infra.kafka import librdkafka_producer_config, make_consumer
from csms_kernel.infra.lifecycle import configure_logging, run_until_signalled
from csms_kernel.telemetry import installed

log = logging.getLogger(__name__)

GOING_AWAY_CODE = 1001
GOING_AWAY_REASON = "going away"
ASSIGNMENT_WAIT_S = 30.0


def advertised_address(listen: str, advertise: str, bound_port: int) -> str:
    """Where other services reach EdgeService: `advertise` (its port defaulting to the bound one), else the
    listen host (this host's name when listening on all interfaces) with the bound port."""
    if advertise:
        match = re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*):(\d+)", advertise)
        if match is None:
            return f"{advertise}:{bound_port}"
        return advertise if match[2] != "0" else f"{match[1]}:{bound_port}"
    host = listen.rpartition(":")[0]
    if host in ("", "0.0.0.0", "[::]"):
        host = socket.gethostname()
    return f"{host}:{bound_port}"


@dataclass
class EdgeNode:
    """A started edge node; `stop()` drains it."""

    settings: EdgeSettings
    table: ConnectionTable
    ws_server: Server
    grpc_server: GrpcServer
    grpc_address: str
    delivery: DeliveryConsumer
    delivery_task: asyncio.Task[None]
    consumer: AIOKafkaConsumer
    producer: AsyncProducer | None
    channel: grpc.aio.Channel | None
    _stopped: bool = field(default=False, init=False)

    @property
    def ws_port(self) -> int:
        port: int = self.ws_server.sockets[0].getsockname()[1]
        return port

    async def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        settings = self.settings
        log.info("edge node %s draining", settings.node_id)
        self.ws_server.server.close()  # no new connections; open ones stay for in-flight replies
        self.delivery.request_stop()
        try:
            await asyncio.wait_for(asyncio.shield(self.delivery_task), settings.drain_timeout_s)
        except TimeoutError:
            log.warning("delivery consumer did not finish within %g s; cancelled", settings.drain_timeout_s)
            self.delivery_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.delivery_task
        await _quietly(self.consumer.stop(), "delivery consumer stop")
        self.ws_server.close(code=GOING_AWAY_CODE, reason=GOING_AWAY_REASON)
        try:
            await asyncio.wait_for(self.ws_server.wait_closed(), settings.close_timeout_s + settings.drain_timeout_s)
        except TimeoutError:
            log.warning("station connections did not close in time")
        await _quietly(self.table.wait_closing(), "background closes")
        await _quietly(self.grpc_server.stop(grace=1.0), "gRPC stop")
        if self.producer is not None:
            await _quietly(self.producer.stop(), "producer stop")
        if self.channel is not None:
            await _quietly(self.channel.close(None), "registry channel close")
        log.info("edge node %s stopped", settings.node_id)


async def _quietly(awaitable: Awaitable[object], what: str) -> None:
    try:
        await awaitable
    except Exception:
        log.warning("%s failed", what, exc_info=True)


async def start_node(
    settings: EdgeSettings,
    *,
    registry: StationRegistry | None = None,
    frame_log: FrameLog | None = None,
) -> EdgeNode:
    """Starts every part of the node. `registry`/`frame_log` replace the real adapters (tests).
    If a part fails to start, the parts already started are stopped again."""
    async with contextlib.AsyncExitStack() as started:
        node = await _start(settings, registry, frame_log, started)
        started.pop_all()
        return node


async def _start(
    settings: EdgeSettings,
    registry: StationRegistry | None,
    frame_log: FrameLog | None,
    started: contextlib.AsyncExitStack,
) -> EdgeNode:
    node_id = settings.node_id
    producer: AsyncProducer | None = None
    if frame_log is None:
        producer = AsyncProducer(librdkafka_producer_config(settings.kafka_bootstrap, client_id=f"edge-{node_id}"))
        started.push_async_callback(producer.stop)
        frame_log = KafkaFrameLog(producer)
    channel: grpc.aio.Channel | None = None
    if registry is None:
        channel = grpc.aio.insecure_channel(settings.authorization_address)
        started.push_async_callback(channel.close, None)
        registry = CachingStationRegistry(
            GrpcStationRegistry.for_channel(channel, settings.registry_timeout_s),
            accepted_ttl_s=settings.registry_accepted_ttl_s,
            refused_ttl_s=settings.registry_refused_ttl_s,
            max_entries=settings.registry_cache_size,
        )

    table = ConnectionTable()
    envelopes = EnvelopeFactory(node_id, settings.tenant)

    delivery_topic = await ensure_delivery_topic(
        settings.kafka_bootstrap, node_id, replication_factor=settings.delivery_replication_factor
    )
    consumer = make_consumer(
        settings.kafka_bootstrap, group_id(node_id), f"edge-{node_id}", delivery_topic, read_committed=True
    )
    await consumer.start()
    started.push_async_callback(consumer.stop)
    delivery = DeliveryConsumer(
        consumer,
        DeliveryHandler(table, frame_log, envelopes, send_timeout_s=settings.send_timeout_s),
        group_id(node_id),
    )
    delivery_task = asyncio.create_task(delivery.run(), name="edge-delivery")
    started.push_async_callback(_cancel, delivery_task)

    servicer = EdgeServicer(
        table,
        frame_log,
        envelopes,
        default_timeout_s=settings.call_timeout_s,
        outbound_queue_size=settings.outbound_queue_size,
    )
    grpc_server = build_server(
        settings.grpc_listen,
        [(lambda server: edge_pb2_grpc.add_EdgeServiceServicer_to_server(servicer, server), SERVICE_NAME)],
    )
    await grpc_server.start()
    started.push_async_callback(grpc_server.stop, 0)
    grpc_address = advertised_address(settings.grpc_listen, settings.grpc_advertise, grpc_server.port)

    endpoint = StationEndpoint(
        SessionContext(table, frame_log, envelopes, grpc_address),
        registry,
        accept_unknown_stations=settings.accept_unknown_stations,
    )
    ws_server = await serve(
        endpoint.handler,
        settings.host,
        settings.port,
        process_request=endpoint.process_request,
        select_subprotocol=endpoint.select_subprotocol,
        compression=None,
        max_size=settings.max_frame_bytes,
        ping_interval=settings.ping_interval_s,
        ping_timeout=settings.ping_timeout_s,
        open_timeout=settings.open_timeout_s,
        close_timeout=settings.close_timeout_s,
    )
    started.push_async_callback(_close_ws, ws_server)
    await _wait_for_assignment(consumer)
    return EdgeNode(
        settings, table, ws_server, grpc_server, grpc_address, delivery, delivery_task, consumer, producer, channel
    )


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _close_ws(server: Server) -> None:
    server.close()
    await server.wait_closed()


async def _wait_for_assignment(consumer: AIOKafkaConsumer) -> None:
    """Replies are never lost before the group assignment (committed/earliest offsets), but they would be
    late: wait for it, bounded."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + ASSIGNMENT_WAIT_S
    # aiokafka offers no awaitable for the first assignment of a constructor-subscribed consumer.
    while not consumer.assignment() and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.05)
    if not consumer.assignment():
        log.warning("delivery topic not assigned after %g s; continuing", ASSIGNMENT_WAIT_S)


async def run(
    settings: EdgeSettings,
    *,
    ready: asyncio.Event | None = None,
    registry: StationRegistry | None = None,
    frame_log: FrameLog | None = None,
) -> None:
    """Runs the node until cancelled, then drains it."""
    node = await start_node(settings, registry=registry, frame_log=frame_log)
    try:
        line = (
            f"edge node {settings.node_id} listening on ws://{settings.host}:{node.ws_port}/ocpp/{{stationId}}, "
            f"gRPC on {node.grpc_address}"
        )
        log.info(line)
        print(line, flush=True)
        if ready is not None:
            ready.set()
        await asyncio.Event().wait()
    finally:
        await node.stop()


def main() -> None:
    """Runs an edge node with settings from the environment until SIGTERM/SIGINT, then drains it."""
    settings = EdgeSettings()
    configure_logging(settings.log_level)
    with installed("edge", settings.metrics_port, instance_id=settings.node_id):
        run_until_signalled(lambda: run(settings))
