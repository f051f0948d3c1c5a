"""All wiring of the edge node (`build()`, no I/O), its start-up and its graceful drain (`EdgeNode`).

Start-up: Kafka producer → delivery topic (created if missing) and its consumer → the station credential
changes, read from their end → gRPC EdgeService → station WebSocket endpoints: ws:// (`port`, unless disabled)
and wss:// (`tls_port`, with its TLS files polled for changes; docs/adr/0025). Drain (SIGTERM/SIGINT): stop
accepting connections, let the delivery consumer finish the batch in hand (bounded), close station sockets with
1001 "going away" (their DISCONNECTED events are recorded), stop gRPC, flush and stop the producer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import grpc
from aiokafka import AIOKafkaConsumer
from websockets.asyncio.server import Server, serve

from csms.edge.v1 import edge_pb2_grpc
from csms.envelope.v1 import envelope_pb2
from csms_edge.adapters.boot_statuses import GrpcBootStatuses
from csms_edge.adapters.credential_events import CredentialEventsConsumer
from csms_edge.adapters.delivery import READINESS_COMPONENT as DELIVERY_COMPONENT
from csms_edge.adapters.delivery import DeliveryConsumer, DeliveryHandler, group_id
from csms_edge.adapters.delivery_topic import ensure_delivery_topic
from csms_edge.adapters.frame_log import KafkaFrameLog
from csms_edge.adapters.kafka_producer import AsyncProducer
from csms_edge.adapters.security_events import KafkaSecurityEvents, LoggedSecurityEvents
from csms_edge.adapters.station_registry import CachingStationRegistry, GrpcStationRegistry, NothingCached
from csms_edge.adapters.tls import ReloadingTls, TlsConfigError, TlsFiles
from csms_edge.adapters.ws_server import HandshakeGuard, StationEndpoint, counted_connection
from csms_edge.api.grpc_api import SERVICE_NAME, EdgeServicer
from csms_edge.app.connections import ConnectionTable
from csms_edge.app.credential_changes import REMEMBER_S, CredentialChanges
from csms_edge.app.session import SessionContext
from csms_edge.domain.budget import Limits
from csms_edge.domain.envelopes import EnvelopeFactory
from csms_edge.domain.limits import ConnectionLimits
from csms_edge.domain.lockout import LockoutPolicy, Lockouts
from csms_edge.domain.proxy import InvalidProxyList, TrustedProxies
from csms_edge.ports import BootStatuses, FrameLog, SecurityEvents, StationRegistry, VerdictCache
from csms_edge.settings import EdgeSettings
from csms_kernel.clients.channels import channel as grpc_channel
from csms_kernel.infra import topics
from csms_kernel.infra.client_security import KafkaSecurity
from csms_kernel.infra.grpc_server import GrpcServer, build_server
from csms_kernel.infra.health import READINESS
from csms_kernel.infra.kafka import librdkafka_producer_config, make_consumer
from csms_kernel.infra.lifecycle import Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.infra.tls_buffers import small_tls_read_buffers

log = logging.getLogger(__name__)

NAME = "edge"

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


class EdgeNode:
    """The edge node as one resource: `start()` brings every part up in order (stopping the parts already
    started if one fails), `stop()` drains it. Constructing it does no I/O."""

    def __init__(
        self,
        settings: EdgeSettings,
        *,
        registry: StationRegistry | None = None,
        frame_log: FrameLog | None = None,
        security_events: SecurityEvents | None = None,
        boot_statuses: BootStatuses | None = None,
    ) -> None:
        self.settings = settings
        self._registry = registry
        self._boot_statuses = boot_statuses
        self._frame_log = frame_log
        self.security_events = security_events
        self.tls: ReloadingTls | None = None
        self._tls_server: Server | None = None
        self._tls_task: asyncio.Task[None] | None = None
        self.table = ConnectionTable()
        self._stopped = False
        self.grpc_address = ""
        self._producer: AsyncProducer | None = None
        self._channel: grpc.aio.Channel | None = None
        self._device_model_channel: grpc.aio.Channel | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._delivery: DeliveryConsumer | None = None
        self._delivery_handler: DeliveryHandler | None = None
        self._delivery_task: asyncio.Task[None] | None = None
        self.credential_changes: CredentialChanges | None = None
        self._credential_events: CredentialEventsConsumer | None = None
        self._credential_task: asyncio.Task[None] | None = None
        self._grpc_server: GrpcServer | None = None
        self._ws_server: Server | None = None

    @property
    def ws_port(self) -> int:
        assert self._ws_server is not None, "not started (or ws:// disabled)"
        port: int = self._ws_server.sockets[0].getsockname()[1]
        return port

    @property
    def tls_port(self) -> int:
        assert self._tls_server is not None, "not started (or no wss://)"
        port: int = self._tls_server.sockets[0].getsockname()[1]
        return port

    def _servers(self) -> list[Server]:
        return [server for server in (self._ws_server, self._tls_server) if server is not None]

    async def start(self) -> None:
        async with contextlib.AsyncExitStack() as started:
            await self._start(started)
            started.pop_all()
        host = self.settings.host
        urls = [f"ws://{host}:{self.ws_port}/ocpp/{{stationId}}"] if self._ws_server is not None else []
        if self._tls_server is not None:
            urls.append(f"wss://{host}:{self.tls_port}/ocpp/{{stationId}}")
        line = f"edge node {self.settings.node_id} listening on {' and '.join(urls)}, gRPC on {self.grpc_address}"
        log.info(line)
        print(line, flush=True)

    def _still_connected(self, envelope: envelope_pb2.Envelope) -> bool:
        """True while the connection a frame came on is its station's connection on this node."""
        return self.table.get(envelope.station_id, envelope.connection_id) is not None

    async def _start(self, started: contextlib.AsyncExitStack) -> None:
        settings = self.settings
        node_id = settings.node_id
        if not settings.plain_enabled and settings.tls_port is None:
            raise ValueError("no station endpoint: ws:// is disabled and no wss:// port (CSMS_EDGE_TLS_PORT) is set")
        try:
            proxies = TrustedProxies.parse(settings.trusted_proxies)
        except InvalidProxyList as exc:
            raise ValueError(f"CSMS_EDGE_TRUSTED_PROXIES: {exc}") from exc
        if settings.tls_port is not None:
            if not settings.tls_cert_file or not settings.tls_key_file:
                raise ValueError("wss:// needs CSMS_EDGE_TLS_CERT_FILE and CSMS_EDGE_TLS_KEY_FILE")
            try:
                self.tls = ReloadingTls(
                    TlsFiles(
                        Path(settings.tls_cert_file),
                        Path(settings.tls_key_file),
                        Path(settings.station_ca_file) if settings.station_ca_file else None,
                    )
                )
            except TlsConfigError as exc:
                raise ValueError(f"wss:// not configured: {exc}") from exc
            small_tls_read_buffers()
        frame_log = self._frame_log
        if frame_log is None:
            producer = AsyncProducer(
                librdkafka_producer_config(
                    settings.kafka_bootstrap, client_id=f"edge-{node_id}", security=settings.kafka_security
                )
            )
            started.push_async_callback(producer.stop)
            self._producer = producer
            call_producer = AsyncProducer(
                call_producer_config(settings.kafka_bootstrap, node_id, settings.kafka_security)
            )
            started.push_async_callback(call_producer.stop)
            frame_log = KafkaFrameLog(producer, still_connected=self._still_connected, call_producer=call_producer)
        registry = self._registry
        cache: VerdictCache = NothingCached()
        if registry is None:
            channel = grpc_channel(settings.authorization_address, settings.grpc_tls)
            started.push_async_callback(channel.close, None)
            self._channel = channel
            registry = cache = CachingStationRegistry(
                GrpcStationRegistry.for_channel(channel, settings.registry_timeout_s),
                accepted_ttl_s=settings.registry_accepted_ttl_s,
                refused_ttl_s=settings.registry_refused_ttl_s,
                max_entries=settings.registry_cache_size,
            )
        boot_statuses = self._boot_statuses
        if boot_statuses is None:
            device_model_channel = grpc_channel(settings.device_model_address, settings.grpc_tls)
            started.push_async_callback(device_model_channel.close, None)
            self._device_model_channel = device_model_channel
            boot_statuses = GrpcBootStatuses(device_model_channel, settings.registry_timeout_s)
        envelopes = EnvelopeFactory(node_id, settings.tenant)

        # Positioned before the endpoint accepts anyone: no verdict is cached before the node follows the changes.
        changes = CredentialChanges(
            self.table, cache, remember_s=max(REMEMBER_S, 2 * (settings.open_timeout_s + settings.registry_timeout_s))
        )
        self.credential_changes = changes
        credential_events = CredentialEventsConsumer(
            # Never from the start, even when a position is lost: old revocations would close reconnected stations.
            make_consumer(
                settings.kafka_bootstrap,
                None,
                f"edge-{node_id}-credentials",
                topics.STATION_CREDENTIALS,
                offset_reset="latest",
                security=settings.kafka_security,
            ),
            changes.apply,
        )
        await credential_events.start()
        started.push_async_callback(credential_events.stop)
        self._credential_events = credential_events
        self._credential_task = asyncio.create_task(credential_events.run(), name="edge-credential-changes")
        started.push_async_callback(_cancel, self._credential_task)

        delivery_topic = await ensure_delivery_topic(
            settings.kafka_bootstrap,
            node_id,
            replication_factor=settings.delivery_replication_factor,
            security=settings.kafka_security,
        )
        consumer = make_consumer(
            settings.kafka_bootstrap,
            group_id(node_id),
            f"edge-{node_id}",
            delivery_topic,
            read_committed=True,
            security=settings.kafka_security,
        )
        await consumer.start()
        started.push_async_callback(consumer.stop)
        self._consumer = consumer
        self._delivery_handler = DeliveryHandler(
            self.table,
            frame_log,
            envelopes,
            send_timeout_s=settings.send_timeout_s,
            send_queue_size=settings.send_queue_size,
        )
        self._delivery = DeliveryConsumer(consumer, self._delivery_handler, group_id(node_id))
        self._delivery_task = asyncio.create_task(self._delivery.run(), name="edge-delivery")
        self._delivery_task.add_done_callback(self._delivery_ended)
        started.push_async_callback(_cancel, self._delivery_task)

        servicer = EdgeServicer(
            self.table,
            frame_log,
            envelopes,
            default_timeout_s=settings.call_timeout_s,
            outbound_queue_size=settings.outbound_queue_size,
            max_timeout_s=settings.max_call_timeout_s,
        )
        grpc_server = build_server(
            settings.grpc_listen,
            [(lambda server: edge_pb2_grpc.add_EdgeServiceServicer_to_server(servicer, server), SERVICE_NAME)],
            settings.grpc_tls,
            settings.grpc_clients,
        )
        await grpc_server.start()
        started.push_async_callback(grpc_server.stop, 0)
        self._grpc_server = grpc_server
        self.grpc_address = advertised_address(settings.grpc_listen, settings.grpc_advertise, grpc_server.port)

        if self.security_events is None:
            self.security_events = (
                KafkaSecurityEvents(self._producer, max_outstanding=settings.security_events_max_outstanding)
                if self._producer is not None
                else LoggedSecurityEvents()
            )
        tls = self.tls
        limits = ConnectionLimits(settings.max_connections, settings.max_connections_per_address)
        guard = HandshakeGuard(
            node_id=node_id,
            events=self.security_events,
            lockouts=Lockouts(lockout_policy(settings)),
            limits=limits,
            proxies=proxies,
            proxy_certificate_header=settings.proxy_client_cert_header,
            station_cas=(lambda: tls.station_cas) if tls is not None else (lambda: ()),
        )
        endpoint = StationEndpoint(
            SessionContext(
                self.table,
                frame_log,
                envelopes,
                self.grpc_address,
                Limits(
                    frames_per_s=settings.station_frames_per_s,
                    frame_burst=settings.station_frame_burst,
                    bytes_per_s=settings.station_bytes_per_s,
                    byte_burst=settings.station_byte_burst,
                ),
                boot_statuses,
                frozenset(settings.answered_at_edge),
            ),
            registry,
            changes,
            guard,
            accept_unknown_stations=settings.accept_unknown_stations,
        )
        if tls is not None:
            tls.on_refused = endpoint.certificate_refused_by_tls
        options: dict[str, Any] = {
            "process_request": endpoint.process_request,
            "select_subprotocol": endpoint.select_subprotocol,
            "create_connection": counted_connection(limits, proxies),
            "server_header": settings.server_header or None,
            "compression": None,
            "max_size": settings.max_frame_bytes,
            "ping_interval": settings.ping_interval_s,
            "ping_timeout": settings.ping_timeout_s,
            "open_timeout": settings.open_timeout_s,
            "close_timeout": settings.close_timeout_s,
        }
        if settings.plain_enabled:
            self._ws_server = await serve(endpoint.handler, settings.host, settings.port, **options)
            started.push_async_callback(_close_ws, self._ws_server)
        if tls is not None:
            assert settings.tls_port is not None
            self._tls_server = await serve(
                endpoint.handler,
                settings.host,
                settings.tls_port,
                ssl=tls.context,
                ssl_handshake_timeout=settings.tls_handshake_timeout_s,
                **options,
            )
            started.push_async_callback(_close_ws, self._tls_server)
            self._tls_task = asyncio.create_task(
                _reload_tls(tls, settings.tls_reload_interval_s), name="edge-tls-reload"
            )
            started.push_async_callback(_cancel, self._tls_task)
        await _wait_for_assignment(consumer)

    def _delivery_ended(self, task: asyncio.Task[None]) -> None:
        """The delivery loop ends only when the node stops; otherwise no station would get a reply again."""
        if self._stopped or task.cancelled():
            return
        reason = f"delivery loop ended: {task.exception()!r}"
        log.critical("edge node %s: %s", self.settings.node_id, reason)
        READINESS.failing(DELIVERY_COMPONENT, reason)

    async def stop(self) -> None:
        """Drains: no new connections, the delivery batch in hand finishes (bounded), the delivery consumer
        stops, station sockets close with 1001, then the credential changes consumer, gRPC, the producer and the
        registry and device-model channels stop."""
        if self._stopped:
            return
        self._stopped = True
        assert self._servers() and self._consumer is not None and self._grpc_server is not None
        log.info("edge node %s draining", self.settings.node_id)
        for server in self._servers():
            server.server.close()  # no new connections; open ones stay for in-flight replies
        if self._tls_task is not None:
            await _cancel(self._tls_task)
        await self._drain_delivery()
        await _quietly(self._consumer.stop(), "delivery consumer stop")
        await self._close_connections()
        if self._credential_task is not None and self._credential_events is not None:
            await _cancel(self._credential_task)
            await _quietly(self._credential_events.stop(), "credential changes consumer stop")
        await _quietly(self._grpc_server.stop(grace=1.0), "gRPC stop")
        if self._producer is not None:
            await _quietly(self._producer.stop(), "producer stop")
        if self._channel is not None:
            await _quietly(self._channel.close(None), "registry channel close")
        if self._device_model_channel is not None:
            await _quietly(self._device_model_channel.close(None), "device-model channel close")
        log.info("edge node %s stopped", self.settings.node_id)

    async def _drain_delivery(self) -> None:
        assert self._delivery is not None and self._delivery_task is not None
        timeout_s = self.settings.drain_timeout_s
        self._delivery.request_stop()
        try:
            await asyncio.wait_for(asyncio.shield(self._delivery_task), timeout_s)
        except TimeoutError:
            log.warning("delivery consumer did not finish within %g s; cancelled", timeout_s)
            self._delivery_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._delivery_task

    async def _close_connections(self) -> None:
        assert self._delivery_handler is not None
        settings = self.settings
        try:  # the replies already in the send lanes go out before the sockets close
            await asyncio.wait_for(self._delivery_handler.flush(), settings.drain_timeout_s)
        except TimeoutError:
            log.warning("replies still queued for stations after %g s; closing anyway", settings.drain_timeout_s)
        servers = self._servers()
        for server in servers:
            server.close(code=GOING_AWAY_CODE, reason=GOING_AWAY_REASON)
        try:
            await asyncio.wait_for(
                asyncio.gather(*(server.wait_closed() for server in servers)),
                settings.close_timeout_s + settings.drain_timeout_s,
            )
        except TimeoutError:
            log.warning("station connections did not close in time")
        await _quietly(self.table.wait_closing(), "background closes")


async def _quietly(awaitable: Awaitable[object], what: str) -> None:
    try:
        await awaitable
    except Exception:
        log.warning("%s failed", what, exc_info=True)


async def _cancel(task: asyncio.Task[None]) -> None:
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _close_ws(server: Server) -> None:
    server.close()
    await server.wait_closed()


async def _reload_tls(tls: ReloadingTls, interval_s: float) -> None:
    """Polls the TLS files until cancelled; a changed valid set serves new connections from then on."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(tls.reload_if_changed)
        except Exception:
            log.exception("TLS reload check failed")


def lockout_policy(settings: EdgeSettings) -> LockoutPolicy:
    return LockoutPolicy(
        pair_free=settings.lockout_free_failures,
        base_s=settings.lockout_base_s,
        pair_max_s=settings.lockout_max_s,
        address_free=settings.address_free_failures,
        address_max_s=settings.address_lockout_max_s,
        station_free=settings.station_free_failures,
        station_s=settings.station_lockout_s,
        window_s=settings.lockout_window_s,
        max_tracked=settings.lockout_max_tracked,
    )


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


def call_producer_config(bootstrap: str, node_id: str, security: KafkaSecurity) -> dict[str, object]:
    """The producer that hands CALLs to their owners' call topics: librdkafka reports only failed deliveries."""
    return {
        **librdkafka_producer_config(bootstrap, client_id=f"edge-{node_id}-calls", security=security),
        "delivery.report.only.error": True,
    }


def build(
    settings: EdgeSettings, *, registry: StationRegistry | None = None, frame_log: FrameLog | None = None
) -> Service:
    """The edge node, wired; `registry`/`frame_log` replace the real adapters (tests). No I/O."""
    return Service(
        name=NAME, instance=settings.node_id, resources=[EdgeNode(settings, registry=registry, frame_log=frame_log)]
    )


def main() -> None:
    """The process entry (`python -m csms_edge`, `csms serve edge`): runs until SIGTERM/SIGINT, then drains."""
    settings = EdgeSettings()
    serve_process(NAME, settings, build, instance_id=settings.node_id)
