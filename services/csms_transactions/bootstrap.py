"""transactions wiring: `build()` is the one place that builds its adapters, handlers, loops and gRPC API.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka
clients, then runs the call runner (answers StartTransaction, StopTransaction, MeterValues and TransactionEvent,
publishing the domain events with the replies), the transactions projector, and the gRPC TransactionsService
(queries, remote start/stop, transaction status).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from datetime import UTC, datetime

from csms.transactions.v1 import transactions_pb2, transactions_pb2_grpc
from csms_kernel.clients.station_calls import GrpcStationCalls, StationCalls
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import Closing, GrpcApi, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.ocpp.ownership import TRANSACTIONS
from csms_kernel.projecting.projection import NoState
from csms_kernel.projecting.runner import kafka_projection_runner
from csms_transactions.adapters.authorizer import GrpcAuthorizer
from csms_transactions.adapters.repository import CassandraTransactionsRepository
from csms_transactions.adapters.state_store import MAX_INT32, CassandraStateStore
from csms_transactions.api.grpc_api import TransactionsServicer
from csms_transactions.app.remote_commands import RemoteCommands
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.routing import TABLES
from csms_transactions.ports import Authorizer, StateStore, TransactionsRepository
from csms_transactions.projections.transactions import PROJECTION
from csms_transactions.settings import TransactionsSettings

NAME = "transactions"
SERVICE_NAME = transactions_pb2.DESCRIPTOR.services_by_name["TransactionsService"].full_name


def utc_now() -> datetime:
    return datetime.now(UTC)


def random_remote_start_id() -> int:
    return 1 + secrets.randbelow(MAX_INT32)


def build(
    settings: TransactionsSettings,
    *,
    session: CassandraSession | None = None,
    state: StateStore | None = None,
    repository: TransactionsRepository | None = None,
    authorizer: Authorizer | None = None,
    station_calls: StationCalls | None = None,
    clock: Callable[[], datetime] = utc_now,
    remote_start_ids: Callable[[], int] = random_remote_start_id,
) -> Service:
    """The transactions service, wired; each keyword replaces a port (tests pass fakes). A `session` passed
    in stays the caller's to connect and close."""
    instance = settings.instance_id
    resources: list[Resource] = []
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points,
            settings.cassandra_port,
            settings.cassandra_local_dc,
            None,
            security=settings.cassandra_security,
        )
        resources.append(session)
    state = state or CassandraStateStore(session)
    repository = repository or CassandraTransactionsRepository(session)
    if authorizer is None:
        authorizer = grpc_authorizer = GrpcAuthorizer(
            settings.authorization_address, settings.authorization_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(grpc_authorizer.close))
    if station_calls is None:
        station_calls = grpc_station_calls = GrpcStationCalls(settings.device_model_address, settings.grpc_tls)
        resources.append(Closing(grpc_station_calls.close))
    router = Router(
        TABLES,
        functools.partial(
            TransactionsContext, state=state, authorizer=authorizer, concurrent_tx=settings.concurrent_tx
        ),
    )
    dead_letter = make_producer(settings.kafka_bootstrap, f"{instance}.projector", security=settings.kafka_security)
    call_runner, handler_consumer = kafka_call_runner(
        service=TRANSACTIONS,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, "csms_transactions.answered_calls"),
        events_topic=topics.TRANSACTIONS_EVENTS,
        clock=clock,
    )
    projector, projector_consumer = kafka_projection_runner(
        settings, instance, PROJECTION, session=session, state=NoState(), dead_letter=dead_letter
    )
    commands = RemoteCommands(station_calls, remote_start_ids, settings.default_call_timeout_s)
    servicer = TransactionsServicer(repository, commands)
    return Service(
        name=NAME,
        instance=instance,
        resources=[*resources, handler_consumer, projector_consumer, dead_letter],
        loops=[call_runner.run, projector.run],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            transactions_pb2_grpc.add_TransactionsServiceServicer_to_server,
            SERVICE_NAME,
            settings.grpc_tls,
            settings.grpc_clients,
        ),
        router=router,
    )


def main() -> None:
    """The process entry (`python -m csms_transactions`, `csms serve transactions`)."""
    settings = TransactionsSettings()
    serve_process(NAME, settings, build, instance_id=settings.instance_id)
