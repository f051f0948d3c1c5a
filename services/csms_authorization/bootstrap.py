"""All wiring of the authorization service: Cassandra, Kafka, stores, services, handlers and gRPC server.

`serving()` connects and runs everything: the call runner (answers Authorize on every version, consumer group
`authorization.handlers`), the active sessions projector (from the transactions events), the token outbox
relay and the gRPC AuthorizationService; `run()` serves until cancelled or a loop fails; `main()` is the process
entry (`csms serve authorization`): reads settings from the environment, configures logging, stops on
SIGTERM/SIGINT.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms_authorization.adapters.event_log import KafkaEventLog
from csms_authorization.adapters.lease import CassandraLease
from csms_authorization.adapters.local_list_store import CassandraLocalListStore
from csms_authorization.adapters.outbox import CassandraOutbox
from csms_authorization.adapters.registry import CassandraStationRegistry
from csms_authorization.adapters.store import KEYSPACE
from csms_authorization.adapters.token_store import CassandraTokenStore
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.app.authorizer import Authorizer
from csms_authorization.app.local_list_service import LocalListService
from csms_authorization.app.outbox_relay import LEASE_NAME, OutboxRelay
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.credentials import PasswordHasher
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.routing import TABLES
from csms_authorization.projections import active_sessions
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.clients.station_calls import GrpcStationCalls
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra import cassandra, topics
from csms_kernel.infra.grpc_server import GrpcServer, build_server
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import configure_logging, run_until_signalled
from csms_kernel.ocpp.ownership import AUTHORIZATION
from csms_kernel.projecting.runner import ProjectionRunner, kafka_projection_consumer
from csms_kernel.telemetry import installed

log = logging.getLogger(__name__)

SERVICE_NAME = authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"].full_name


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Running:
    server: GrpcServer
    loops: list[asyncio.Task[None]]

    async def wait(self) -> None:
        """Returns never; raises when a loop fails."""
        await asyncio.gather(*self.loops)


@contextlib.asynccontextmanager
async def serving(settings: AuthorizationSettings) -> AsyncIterator[Running]:
    """Connects, starts the loops and serves AuthorizationService (plus health and reflection); stops on exit."""
    pepper = settings.authorization_password_pepper.get_secret_value().encode("utf-8")
    if not pepper:
        log.warning("CSMS_AUTHORIZATION_PASSWORD_PEPPER is empty: password hashes are salted but not peppered")
    instance = settings.authorization_instance_id
    session = await cassandra.connect(
        settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, KEYSPACE
    )
    station_calls = GrpcStationCalls(settings.device_model_address)
    sessions_consumer = kafka_projection_consumer(
        settings, active_sessions.GROUP_ID, f"{instance}.sessions", *active_sessions.TOPICS
    )
    producer = make_producer(settings.kafka_bootstrap, f"{instance}.events")

    registry = CassandraStationRegistry(session)
    tokens = CassandraTokenStore(session)
    local_list = CassandraLocalListStore(session)
    sessions_store = active_sessions.CassandraActiveSessions(session)
    authorizer = Authorizer(tokens)
    router = Router(
        TABLES,
        lambda call, emitted: AuthorizationContext(
            call, emitted, authorizer, sessions_store, settings.authorization_concurrent_tx
        ),
    )
    call_runner, handler_consumer = kafka_call_runner(
        service=AUTHORIZATION,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, f"{KEYSPACE}.answered_calls"),
        events_topic=topics.AUTHORIZATION_EVENTS,
        clock=_now,
    )
    relay = OutboxRelay(
        CassandraOutbox(session),
        CassandraLease(session, LEASE_NAME, instance, settings.authorization_outbox_lease_s),
        KafkaEventLog(producer),
        poll_s=settings.authorization_outbox_poll_s,
        lease_s=settings.authorization_outbox_lease_s,
    )
    projector = ProjectionRunner(
        name=active_sessions.GROUP_ID,
        consumer=sessions_consumer,
        apply=active_sessions.ActiveSessionsProjector(sessions_store).apply,
        dead_letter=producer,
    )
    servicer = AuthorizationServicer(
        registry,
        PasswordHasher(pepper),
        _now,
        tokens=tokens,
        token_service=TokenService(tokens, local_list, _now, changed=relay.wake),
        local_lists=LocalListService(
            registry,
            local_list,
            station_calls,
            _now,
            concurrency=settings.local_list_push_concurrency,
            default_timeout_s=settings.local_list_call_timeout_s,
        ),
    )
    server = build_server(
        settings.authorization_grpc_listen,
        [(lambda s: authorization_pb2_grpc.add_AuthorizationServiceServicer_to_server(servicer, s), SERVICE_NAME)],
    )
    clients = (handler_consumer, sessions_consumer, producer)
    started: list[object] = []
    loops: list[asyncio.Task[None]] = []
    try:
        for client in clients:
            await client.start()
            started.append(client)
        await server.start()
        loops = [asyncio.create_task(call_runner.run()), asyncio.create_task(projector.run())]
        loops.append(asyncio.create_task(relay.run()))
        yield Running(server, loops)
    finally:
        for loop in loops:
            loop.cancel()
        await asyncio.gather(*loops, return_exceptions=True)
        await server.stop()
        for client in reversed(clients):
            if client in started:
                await client.stop()
        await station_calls.close()
        await session.close()


async def run(settings: AuthorizationSettings, *, ready: asyncio.Event | None = None) -> None:
    """Serves until cancelled, or until a loop fails (the error ends the process)."""
    async with serving(settings) as running:
        log.info("authorization ready: gRPC on %s (port %d)", settings.authorization_grpc_listen, running.server.port)
        if ready is not None:
            ready.set()
        await running.wait()


def main() -> None:
    settings = AuthorizationSettings()
    configure_logging(settings.log_level)
    with installed("authorization", settings.metrics_port, instance_id=settings.authorization_instance_id):
        run_until_signalled(lambda: run(settings))
    log.info("authorization stopped")
