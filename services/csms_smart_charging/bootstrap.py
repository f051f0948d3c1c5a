"""smart-charging wiring: `build()` is the one place that builds its adapters, handlers, loops and gRPC API.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka
clients, then runs the call runner (answers the 2.x stations' smart-charging messages, publishing their reports
with the replies on csms.smart_charging.events.v1), the station profile view projector (that topic and
device-model's boots and profile command progress), load management's two consumers (docs/adr/0042: the observer
of csms.transactions.events.v1 re-keying the events of EVSEs on a site by site, and the per-site recompute loop
pushing TxProfiles, lowers first, each answered before any raise) and the gRPC SmartChargingService (profile
commands handed to device-model's operator commands, station views, load-management sites stored in Cassandra and
published as site-keyed events on the same topic).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from csms.smart_charging.v1 import smart_charging_pb2, smart_charging_pb2_grpc
from csms_kernel.clients.request_keys import CassandraRequestKeys
from csms_kernel.clients.station_commands import StationCommandsClient
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import Closing, GrpcApi, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.ocpp.ownership import SMART_CHARGING
from csms_kernel.outbox.station_events import KafkaStationEvents
from csms_kernel.projecting.projection import NoState
from csms_kernel.projecting.runner import kafka_projection_runner
from csms_smart_charging.adapters.transactions import GrpcActiveTransactions
from csms_smart_charging.adapters.view_store import CassandraStationEvents
from csms_smart_charging.api.grpc_api import SmartChargingServicer
from csms_smart_charging.app.ev_needs import AnswerEvNeeds
from csms_smart_charging.app.profiles import ProfileRequests
from csms_smart_charging.app.reinstall import ReinstallAfterBoot
from csms_smart_charging.domain.events import TOPIC
from csms_smart_charging.load.adapters.sites import CassandraSiteRepository
from csms_smart_charging.load.app.loop import LoadLoop
from csms_smart_charging.load.app.manager import LoadManager
from csms_smart_charging.load.app.observer import ObserveSites
from csms_smart_charging.load.app.pusher import RequestsPusher
from csms_smart_charging.load.app.retries import SiteRetries
from csms_smart_charging.load.app.site_loop import RunSiteLoops
from csms_smart_charging.load.app.sites import SiteAdmin
from csms_smart_charging.load.consumers import OBSERVER, SITE_LOOPS
from csms_smart_charging.load.domain.sites import event_key
from csms_smart_charging.load.ports import SiteRepository
from csms_smart_charging.ocpp.context import SmartChargingContext
from csms_smart_charging.ocpp.routing import TABLES
from csms_smart_charging.ports import (
    ActiveTransactions,
    RequestKeys,
    SmartChargingEventPublisher,
    StationCommands,
    StationEvents,
)
from csms_smart_charging.projections.tables import KEYSPACE
from csms_smart_charging.projections.view import PROJECTION
from csms_smart_charging.settings import SmartChargingSettings

NAME = "smart-charging"
SERVICE_NAME = smart_charging_pb2.DESCRIPTOR.services_by_name["SmartChargingService"].full_name


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: SmartChargingSettings,
    *,
    session: CassandraSession | None = None,
    commands: StationCommands | None = None,
    events: SmartChargingEventPublisher | None = None,
    station_events: StationEvents | None = None,
    keys: RequestKeys | None = None,
    transactions: ActiveTransactions | None = None,
    sites: SiteRepository | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """The smart-charging service, wired; each keyword replaces a port (tests pass fakes). A `session` passed in
    stays the caller's to connect and close."""
    instance = settings.instance_id
    resources: list[Resource] = []
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, None
        )
        resources.append(session)
    if commands is None:
        commands = client = StationCommandsClient(
            settings.device_model_address,
            settings.device_model_timeout_s,
            settings.grpc_tls,
        )
        resources.append(Closing(client.close))
    if transactions is None:
        transactions = peer = GrpcActiveTransactions(
            settings.transactions_address, settings.transactions_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(peer.close))
    router = Router(TABLES, SmartChargingContext)
    call_runner, handler_consumer = kafka_call_runner(
        service=SMART_CHARGING,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, f"{KEYSPACE}.answered_calls"),
        events_topic=TOPIC,
        clock=clock,
    )
    events_producer = make_producer(settings.kafka_bootstrap, f"{instance}.events")
    events = events or KafkaStationEvents(events_producer, TOPIC, smart_charging_pb2.SmartChargingEvent, event_key)
    requests = ProfileRequests(
        keys or CassandraRequestKeys(session, KEYSPACE),
        commands,
        events,
        clock,
        timedelta(seconds=settings.command_expiry_s),
        settings.load_answer_timeout_s,
    )
    station_events = station_events or CassandraStationEvents(session)
    dead_letter = make_producer(settings.kafka_bootstrap, f"{instance}.projector")
    projector, projector_consumer = kafka_projection_runner(
        settings,
        instance,
        PROJECTION,
        session=session,
        state=NoState(),
        dead_letter=dead_letter,
        policies=[
            *([ReinstallAfterBoot(station_events, requests)] if settings.reinstall_on_boot else []),
            *([AnswerEvNeeds(station_events, transactions, requests)] if settings.answer_ev_needs else []),
        ],
    )
    sites = sites or CassandraSiteRepository(session)
    load_consumers, load_loops = [], []
    if settings.load_management:
        observer, observer_consumer = kafka_projection_runner(
            settings,
            instance,
            OBSERVER,
            session=session,
            state=NoState(),
            dead_letter=dead_letter,
            policies=[ObserveSites(sites, events)],
        )
        pusher = RequestsPusher(requests)
        manager = LoadManager(
            pusher, stack_level=settings.load_stack_level, min_raise_a=settings.load_min_raise_a, journal=sites
        )
        run_site_loops = RunSiteLoops(
            sites,
            LoadLoop(manager, settings.load_headroom_a),
            pusher,
            settings.load_stack_level,
            retries=SiteRetries(initial_s=settings.load_retry_initial_s, maximum_s=settings.load_retry_max_s),
            concurrency=settings.load_site_concurrency,
        )
        site_loops, site_loops_consumer = kafka_projection_runner(
            settings,
            instance,
            SITE_LOOPS,
            session=session,
            state=NoState(),
            dead_letter=dead_letter,
            policies=[run_site_loops],
        )
        load_consumers = [observer_consumer, site_loops_consumer]
        load_loops = [observer.run, site_loops.run, run_site_loops.run_retries]
    site_admin = SiteAdmin(sites, events, clock)
    servicer = SmartChargingServicer(requests, station_events, clock, site_admin)
    return Service(
        name=NAME,
        instance=instance,
        resources=[*resources, handler_consumer, projector_consumer, dead_letter, events_producer, *load_consumers],
        loops=[call_runner.run, projector.run, *load_loops],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            smart_charging_pb2_grpc.add_SmartChargingServiceServicer_to_server,
            SERVICE_NAME,
            settings.grpc_tls,
            settings.grpc_clients,
        ),
        router=router,
    )


def main() -> None:
    """The process entry (`python -m csms_smart_charging`, `csms serve smart-charging`)."""
    settings = SmartChargingSettings()
    serve_process(NAME, settings, build, instance_id=settings.instance_id)
