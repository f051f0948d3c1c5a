"""security wiring: `build()` is the one place that builds its adapters, handlers, loops and gRPC API.

No I/O: `build()` only constructs (it reads the CA files named in the settings, and refuses unusable ones);
`csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka clients, then runs the call runner
(answers SecurityEventNotification and SignCertificate, publishing station security events with the replies), the
security event projector, the certificate signer and the renewal sweep (each on the instance holding its
lease), and the gRPC SecurityService (event log, issued certificates).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from csms.security.v1 import security_pb2, security_pb2_grpc
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import Closing, GrpcApi, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.ocpp.ownership import SECURITY
from csms_kernel.outbox.lease import CassandraLease
from csms_kernel.outbox.station_events import KafkaStationEvents
from csms_kernel.projecting.projection import NoState
from csms_kernel.projecting.runner import kafka_projection_runner
from csms_kernel.security.events import TOPIC
from csms_security.adapters.certificate_store import CassandraCertificateStore
from csms_security.adapters.device_model import GrpcStationCommands
from csms_security.adapters.event_log import CassandraEventLog
from csms_security.adapters.station_ca import load_authorities
from csms_security.api.grpc_api import SecurityServicer
from csms_security.app import renewal, signer
from csms_security.app.renewal import RenewalSweeper
from csms_security.app.signer import CertificateSigner
from csms_security.domain.authority import Authorities
from csms_security.ocpp.context import SecurityContext
from csms_security.ocpp.routing import TABLES
from csms_security.ports import CertificateStore, SecurityEventLog, StationCommands
from csms_security.projections.security_events import PROJECTION
from csms_security.projections.tables import KEYSPACE
from csms_security.settings import SecuritySettings

NAME = "security"
SERVICE_NAME = security_pb2.DESCRIPTOR.services_by_name["SecurityService"].full_name
LEASE_S = 15


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: SecuritySettings,
    *,
    session: CassandraSession | None = None,
    store: CertificateStore | None = None,
    events: SecurityEventLog | None = None,
    commands: StationCommands | None = None,
    authorities: Authorities | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """The security service, wired; each keyword replaces a port (tests pass fakes). A `session` passed in stays
    the caller's to connect and close."""
    instance = settings.instance_id
    resources: list[Resource] = []
    if authorities is None:
        authorities = load_authorities(settings)
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, None
        )
        resources.append(session)
    if commands is None:
        commands = grpc_commands = GrpcStationCommands(
            settings.device_model_address, settings.device_model_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(grpc_commands.close))
    store = store or CassandraCertificateStore(session)
    events = events or CassandraEventLog(session)
    router = Router(
        TABLES,
        functools.partial(SecurityContext, requests=store, signable_types=frozenset(authorities)),
    )
    call_runner, handler_consumer = kafka_call_runner(
        service=SECURITY,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, f"{KEYSPACE}.answered_calls"),
        events_topic=TOPIC,
        clock=clock,
    )
    dead_letter = make_producer(settings.kafka_bootstrap, f"{instance}.projector")
    projector, projector_consumer = kafka_projection_runner(
        settings, instance, PROJECTION, session=session, state=NoState(), dead_letter=dead_letter
    )
    events_producer = make_producer(settings.kafka_bootstrap, f"{instance}.events")
    command_expiry = timedelta(seconds=settings.command_expiry_s)
    certificate_signer = CertificateSigner(
        store,
        commands,
        KafkaStationEvents(
            events_producer, TOPIC, security_pb2.SecurityEventRecorded, lambda record: record.event.station_id
        ),
        authorities,
        CassandraLease(session, KEYSPACE, signer.LEASE_NAME, instance, LEASE_S),
        clock,
        validity=timedelta(days=settings.certificate_days),
        command_expiry=command_expiry,
        poll_s=settings.signer_poll_s,
        lease_s=LEASE_S,
    )
    renewal_sweeper = RenewalSweeper(
        store,
        commands,
        CassandraLease(session, KEYSPACE, renewal.LEASE_NAME, instance, LEASE_S),
        clock,
        renew_before=timedelta(days=settings.renew_before_days),
        retry=timedelta(seconds=settings.renew_retry_s),
        command_expiry=command_expiry,
        interval_s=settings.renewal_interval_s,
        lease_s=LEASE_S,
    )
    servicer = SecurityServicer(events, store)
    return Service(
        name=NAME,
        instance=instance,
        resources=[*resources, handler_consumer, projector_consumer, dead_letter, events_producer],
        loops=[call_runner.run, projector.run, certificate_signer.run, renewal_sweeper.run],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            security_pb2_grpc.add_SecurityServiceServicer_to_server,
            SERVICE_NAME,
            settings.grpc_tls,
            settings.grpc_clients,
        ),
        router=router,
    )


def main() -> None:
    """The process entry (`python -m csms_security`, `csms serve security`)."""
    settings = SecuritySettings()
    serve_process(NAME, settings, build, instance_id=settings.instance_id)
