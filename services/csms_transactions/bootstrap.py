"""transactions wiring: the one place that builds its adapters and runs its loops and gRPC server.

Runs three things until cancelled: the call runner (answers StartTransaction, StopTransaction, MeterValues and
TransactionEvent, publishing the domain events with the replies), the transactions projector, and the gRPC
TransactionsService (queries, remote start/stop, transaction status).
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from datetime import UTC, datetime

from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_kernel.clients.station_calls import GrpcStationCalls
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import CallInfo, Emitted, Router
from csms_kernel.infra import cassandra, topics
from csms_kernel.infra.grpc_server import build_server
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import configure_logging, run_until_signalled
from csms_kernel.ocpp.ownership import TRANSACTIONS
from csms_kernel.projecting.runner import ProjectionRunner, kafka_projection_consumer
from csms_kernel.telemetry import installed
from csms_transactions.adapters.authorizer import Authorizer, GrpcAuthorizer
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from csms_transactions.adapters.state_store import MAX_INT32, CassandraStateStore, StateStore
from csms_transactions.api.grpc_api import TransactionsServicer
from csms_transactions.app.remote_commands import RemoteCommands
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.routing import TABLES
from csms_transactions.projections.projector import GROUP_ID as PROJECTOR_GROUP
from csms_transactions.projections.projector import TOPICS as PROJECTOR_TOPICS
from csms_transactions.projections.projector import TransactionsProjector
from csms_transactions.settings import TransactionsSettings

log = logging.getLogger(__name__)

SERVICE_NAME = transactions_pb2.DESCRIPTOR.services_by_name["TransactionsService"].full_name


def utc_now() -> datetime:
    return datetime.now(UTC)


def random_remote_start_id() -> int:
    return 1 + secrets.randbelow(MAX_INT32)


async def run(settings: TransactionsSettings, *, ready: asyncio.Event | None = None) -> None:
    instance = settings.transactions_instance_id
    session = await cassandra.connect(
        settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, None
    )
    state = CassandraStateStore(session)
    repository = CassandraTransactionsRepository(session)
    authorizer = GrpcAuthorizer(settings.authorization_address, settings.transactions_authorization_timeout_s)
    station_calls = GrpcStationCalls(settings.device_model_address)
    router = Router(
        TABLES, lambda call, emitted: _context(call, emitted, state, authorizer, settings.transactions_concurrent_tx)
    )
    projector_consumer = kafka_projection_consumer(
        settings, PROJECTOR_GROUP, f"{instance}.projector", *PROJECTOR_TOPICS
    )
    dead_letter = make_producer(settings.kafka_bootstrap, f"{instance}.projector")
    call_runner, handler_consumer = kafka_call_runner(
        service=TRANSACTIONS,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, "csms_transactions.answered_calls"),
        events_topic=topics.TRANSACTIONS_EVENTS,
        clock=utc_now,
    )
    projector = ProjectionRunner(
        name=PROJECTOR_GROUP,
        consumer=projector_consumer,
        apply=TransactionsProjector(repository).apply,
        dead_letter=dead_letter,
    )
    commands = RemoteCommands(station_calls, random_remote_start_id, settings.transactions_default_call_timeout_s)
    servicer = TransactionsServicer(repository, commands)
    server = build_server(
        settings.transactions_grpc_listen,
        [(lambda s: transactions_pb2_grpc.add_TransactionsServiceServicer_to_server(servicer, s), SERVICE_NAME)],
    )
    clients = (handler_consumer, projector_consumer, dead_letter)
    try:
        for client in clients:
            await client.start()
        await server.start()
        log.info("transactions %s serving gRPC on port %d", instance, server.port)
        if ready is not None:
            ready.set()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(call_runner.run())
            tasks.create_task(projector.run())
    finally:
        await server.stop()
        for client in reversed(clients):
            await client.stop()
        await station_calls.close()
        await authorizer.close()
        await session.close()


def _context(
    call: CallInfo, emitted: Emitted, state: StateStore, authorizer: Authorizer, concurrent_tx: bool
) -> TransactionsContext:
    return TransactionsContext(call, emitted, state, authorizer, concurrent_tx)


def main() -> None:
    settings = TransactionsSettings()
    configure_logging(settings.log_level)
    with installed("transactions", settings.metrics_port, instance_id=settings.transactions_instance_id):
        run_until_signalled(lambda: run(settings))
