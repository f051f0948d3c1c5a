"""authorization wiring: `build()` is the one place that builds its stores, services, handlers, loops and gRPC API.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka
clients, then runs the call runner (answers Authorize on every version, consumer group `authorization.handlers`),
the active sessions projector (from the transactions events), the reservation use projector (a start admitted by a
reservation it does not name ends it), the token, station and security outbox relays and
the gRPC AuthorizationService.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from csms.authorization.v1 import authorization_pb2, authorization_pb2_grpc
from csms.security.v1 import security_pb2
from csms_authorization.adapters.active_sessions import CassandraActiveSessions
from csms_authorization.adapters.contract_provider_http import HttpContractCertificateProvider
from csms_authorization.adapters.local_list_store import CassandraLocalListStore
from csms_authorization.adapters.ocsp_http import HttpOcspClient
from csms_authorization.adapters.outbox import (
    SECURITY_OUTBOX_TABLE,
    STATION_KEY,
    STATION_OUTBOX_TABLE,
    CassandraOutbox,
)
from csms_authorization.adapters.registry import CassandraStationRegistry
from csms_authorization.adapters.reservation_commands import GrpcReservationCommands
from csms_authorization.adapters.reservation_store import CassandraReservationStore
from csms_authorization.adapters.store import KEYSPACE
from csms_authorization.adapters.token_store import CassandraTokenStore
from csms_authorization.api.grpc_api import AuthorizationServicer
from csms_authorization.app.authorizer import Authorizer
from csms_authorization.app.local_list_service import LocalListService
from csms_authorization.app.plug_and_charge import PlugAndCharge
from csms_authorization.app.reservations import ReservationService
from csms_authorization.app.station_service import StationService
from csms_authorization.app.token_service import TokenService
from csms_authorization.domain.credentials import PasswordHasher
from csms_authorization.domain.plug_and_charge import ResponderPolicy
from csms_authorization.ocpp.context import AuthorizationContext
from csms_authorization.ocpp.routing import TABLES
from csms_authorization.ports import (
    ActiveSessions,
    ContractCertificateProvider,
    LocalListStore,
    OcspClient,
    PendingEvent,
    ReservationCommands,
    ReservationStore,
    StationRegistryRepository,
    TokenStore,
)
from csms_authorization.projections.active_sessions import PROJECTION as SESSIONS_PROJECTION
from csms_authorization.projections.reservation_use import PROJECTION as USE_PROJECTION
from csms_authorization.projections.reservation_use import ReservationsRead
from csms_authorization.settings import AuthorizationSettings
from csms_kernel.clients.station_calls import GrpcStationCalls, StationCalls
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import Closing, GrpcApi, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.ocpp.ownership import AUTHORIZATION
from csms_kernel.outbox.event_log import KafkaEventLog
from csms_kernel.outbox.lease import CassandraLease
from csms_kernel.outbox.relay import EventLog, Lease, Outbox, OutboxRelay
from csms_kernel.projecting.projection import NoState
from csms_kernel.projecting.runner import kafka_projection_runner
from csms_kernel.security import events as security_events

log = logging.getLogger(__name__)

NAME = "authorization"
LEASE_NAME = "token_outbox_relay"
STATION_LEASE_NAME = "station_outbox_relay"
SECURITY_LEASE_NAME = "security_outbox_relay"
EVENT_TYPE = authorization_pb2.AuthorizationEvent.DESCRIPTOR.full_name
STATION_EVENT_TYPE = authorization_pb2.StationCredentialsChanged.DESCRIPTOR.full_name
SECURITY_EVENT_TYPE = security_pb2.SecurityEventRecorded.DESCRIPTOR.full_name
SERVICE_NAME = authorization_pb2.DESCRIPTOR.services_by_name["AuthorizationService"].full_name


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: AuthorizationSettings,
    *,
    session: CassandraSession | None = None,
    tokens: TokenStore | None = None,
    registry: StationRegistryRepository | None = None,
    local_list: LocalListStore | None = None,
    outbox: Outbox[PendingEvent] | None = None,
    lease: Lease | None = None,
    event_log: EventLog[PendingEvent] | None = None,
    station_outbox: Outbox[PendingEvent] | None = None,
    station_lease: Lease | None = None,
    station_event_log: EventLog[PendingEvent] | None = None,
    security_outbox: Outbox[PendingEvent] | None = None,
    security_lease: Lease | None = None,
    security_event_log: EventLog[PendingEvent] | None = None,
    sessions: ActiveSessions | None = None,
    reservations: ReservationStore | None = None,
    reservation_commands: ReservationCommands | None = None,
    station_calls: StationCalls | None = None,
    contract_provider: ContractCertificateProvider | None = None,
    ocsp: OcspClient | None = None,
    hasher: PasswordHasher | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """The authorization service, wired; each keyword replaces a port (tests pass fakes; `sessions` is what the
    handlers read, the projector keeps writing the Cassandra read model; `outbox`, `lease` and `event_log` are the
    token events', `station_*` the station credential events', `security_*` the CSMS security events'). A `session`
    passed in stays the caller's to connect and close."""
    instance = settings.instance_id
    resources: list[Resource] = []
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points,
            settings.cassandra_port,
            settings.cassandra_local_dc,
            KEYSPACE,
            security=settings.cassandra_security,
        )
        resources.append(session)
    if station_calls is None:
        station_calls = grpc_station_calls = GrpcStationCalls(settings.device_model_address, settings.grpc_tls)
        resources.append(Closing(grpc_station_calls.close))
    if reservation_commands is None:
        reservation_commands = grpc_commands = GrpcReservationCommands(
            settings.device_model_address, settings.device_model_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(grpc_commands.close))
    if hasher is None:
        pepper = settings.password_pepper.get_secret_value().encode("utf-8")
        if not pepper:
            log.warning("CSMS_AUTHORIZATION_PASSWORD_PEPPER is empty: password hashes are salted but not peppered")
        hasher = PasswordHasher(pepper)
    if contract_provider is None and settings.contract_provider_url:
        contract_provider = http_provider = HttpContractCertificateProvider(
            settings.contract_provider_url, settings.contract_provider_timeout_s
        )
        resources.append(Closing(http_provider.close))
    if ocsp is None:
        ocsp = http_ocsp = HttpOcspClient(settings.ocsp_timeout_s)
        resources.append(Closing(http_ocsp.close))
    plug_and_charge = PlugAndCharge(
        contract_provider,
        ocsp,
        ResponderPolicy(tuple(settings.ocsp_responder_allowlist), settings.ocsp_default_responder_url or None),
    )
    producer = make_producer(settings.kafka_bootstrap, f"{instance}.events", security=settings.kafka_security)

    registry = registry or CassandraStationRegistry(session)
    tokens = tokens or CassandraTokenStore(session)
    local_list = local_list or CassandraLocalListStore(session)
    reservations = reservations or CassandraReservationStore(session)
    authorizer = Authorizer(tokens, reservations)
    router = Router(
        TABLES,
        functools.partial(
            AuthorizationContext,
            authorizer=authorizer,
            sessions=sessions or CassandraActiveSessions(session),
            reservations=reservations,
            concurrent_tx=settings.concurrent_tx,
            plug_and_charge=plug_and_charge,
        ),
    )
    call_runner, handler_consumer = kafka_call_runner(
        service=AUTHORIZATION,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, f"{KEYSPACE}.answered_calls"),
        events_topic=topics.AUTHORIZATION_EVENTS,
        clock=clock,
    )
    relay = OutboxRelay(
        outbox or CassandraOutbox(session),
        lease or CassandraLease(session, KEYSPACE, LEASE_NAME, instance, settings.outbox_lease_s),
        event_log or KafkaEventLog(producer, topics.AUTHORIZATION_EVENTS, EVENT_TYPE),
        poll_s=settings.outbox_poll_s,
        lease_s=settings.outbox_lease_s,
        name="token outbox relay",
    )
    station_relay = OutboxRelay(
        station_outbox or CassandraOutbox(session, STATION_OUTBOX_TABLE, STATION_KEY),
        station_lease or CassandraLease(session, KEYSPACE, STATION_LEASE_NAME, instance, settings.outbox_lease_s),
        station_event_log or KafkaEventLog(producer, topics.STATION_CREDENTIALS, STATION_EVENT_TYPE),
        poll_s=settings.station_outbox_poll_s,
        lease_s=settings.outbox_lease_s,
        name="station outbox relay",
    )
    security_relay = OutboxRelay(
        security_outbox or CassandraOutbox(session, SECURITY_OUTBOX_TABLE, STATION_KEY),
        security_lease or CassandraLease(session, KEYSPACE, SECURITY_LEASE_NAME, instance, settings.outbox_lease_s),
        security_event_log or KafkaEventLog(producer, security_events.TOPIC, SECURITY_EVENT_TYPE),
        poll_s=settings.outbox_poll_s,
        lease_s=settings.outbox_lease_s,
        name="security outbox relay",
    )
    projector, sessions_consumer = kafka_projection_runner(
        settings, instance, SESSIONS_PROJECTION, session=session, state=NoState(), dead_letter=producer
    )
    use_projector, use_consumer = kafka_projection_runner(
        settings, instance, USE_PROJECTION, session=session, state=ReservationsRead(reservations), dead_letter=producer
    )
    servicer = AuthorizationServicer(
        StationService(registry, hasher, clock, changed=_waking(station_relay, security_relay)),
        clock,
        tokens=tokens,
        token_service=TokenService(tokens, local_list, clock, changed=relay.wake),
        authorizer=authorizer,
        local_lists=LocalListService(
            registry,
            local_list,
            station_calls,
            clock,
            concurrency=settings.local_list_push_concurrency,
            default_timeout_s=settings.local_list_call_timeout_s,
        ),
        reservations=ReservationService(
            reservations, reservation_commands, clock, settings.reservation_answer_timeout_s
        ),
    )
    return Service(
        name=NAME,
        instance=instance,
        resources=[*resources, handler_consumer, sessions_consumer, use_consumer, producer],
        loops=[call_runner.run, projector.run, use_projector.run, relay.run, station_relay.run, security_relay.run],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            authorization_pb2_grpc.add_AuthorizationServiceServicer_to_server,
            SERVICE_NAME,
            settings.grpc_tls,
            settings.grpc_clients,
        ),
        router=router,
    )


def _waking(*relays: OutboxRelay[PendingEvent]) -> Callable[[], None]:
    def wake() -> None:
        for relay in relays:
            relay.wake()

    return wake


def main() -> None:
    """The process entry (`python -m csms_authorization`, `csms serve authorization`)."""
    settings = AuthorizationSettings()
    serve_process(NAME, settings, build, instance_id=settings.instance_id)
