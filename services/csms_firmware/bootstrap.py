"""firmware wiring: `build()` is the one place that builds its adapters, handlers, loops and gRPC API.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka
clients, then runs the call runner (answers the firmware, log, diagnostics and publish status notifications,
publishing the reports with the replies on csms.firmware.events.v1), the station history projector (that topic
and device-model's boots and firmware command outcomes), the campaigns projector (csms.firmware.campaigns.v1),
the campaign driver (the campaigns whose lease this instance holds), the gRPC FirmwareService (requests handed to
device-model's operator commands, updates from uploaded images, station histories, campaigns) and the
station-facing artifact HTTP server (image downloads, log uploads; `CSMS_FIRMWARE_HTTP_LISTEN`, docs/adr/0038).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from csms.firmware.v1 import firmware_pb2, firmware_pb2_grpc
from csms_firmware.adapters.history_store import CassandraFirmwareHistory
from csms_firmware.api.grpc_api import FirmwareServicer
from csms_firmware.app.requests import FirmwareRequests
from csms_firmware.artifacts.bootstrap import build_artifacts
from csms_firmware.artifacts.settings import ArtifactSettings
from csms_firmware.campaigns.adapters.campaign_log import KafkaCampaignLog
from csms_firmware.campaigns.adapters.leases import CassandraCampaignLeases
from csms_firmware.campaigns.adapters.station_directory import DeviceModelStations
from csms_firmware.campaigns.adapters.station_updates import RequestStationUpdates
from csms_firmware.campaigns.app.driver import CampaignDriver
from csms_firmware.campaigns.ports import CampaignLeases, CampaignLog, StationDirectory
from csms_firmware.campaigns.projections.campaigns import PROJECTION as CAMPAIGNS_PROJECTION
from csms_firmware.campaigns.projections.campaigns import CampaignFolds
from csms_firmware.domain.events import TOPIC
from csms_firmware.ocpp.context import FirmwareContext
from csms_firmware.ocpp.routing import TABLES
from csms_firmware.ports import (
    FirmwareEventPublisher,
    FirmwareHistory,
    FirmwareImages,
    RequestKeys,
    StationCommands,
)
from csms_firmware.projections.history import PROJECTION
from csms_firmware.projections.tables import KEYSPACE
from csms_firmware.settings import FirmwareSettings
from csms_kernel.clients.request_keys import CassandraRequestKeys
from csms_kernel.clients.station_commands import StationCommandsClient
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import Closing, GrpcApi, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.infra.production import DevelopmentSecrets
from csms_kernel.ocpp.ownership import FIRMWARE
from csms_kernel.outbox.station_events import KafkaStationEvents
from csms_kernel.projecting.projection import NoState
from csms_kernel.projecting.runner import kafka_projection_runner

NAME = "firmware"
SERVICE_NAME = firmware_pb2.DESCRIPTOR.services_by_name["FirmwareService"].full_name


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: FirmwareSettings,
    *,
    artifact_settings: ArtifactSettings | None = None,
    session: CassandraSession | None = None,
    commands: StationCommands | None = None,
    events: FirmwareEventPublisher | None = None,
    history: FirmwareHistory | None = None,
    keys: RequestKeys | None = None,
    campaigns: CampaignLog | None = None,
    leases: CampaignLeases | None = None,
    directory: StationDirectory | None = None,
    images: FirmwareImages | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """The firmware service, wired; each keyword replaces a port (tests pass fakes). A `session` passed in stays
    the caller's to connect and close. `artifact_settings` (default: read from the environment) configure the
    artifact store and server, started after the session."""
    instance = settings.instance_id
    resources: list[Resource] = []
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, None
        )
        resources.append(session)
    artifacts = build_artifacts(artifact_settings or ArtifactSettings(), session, clock=clock)
    resources.extend(artifacts.resources)
    if commands is None:
        commands = client = StationCommandsClient(
            settings.device_model_address, settings.device_model_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(client.close))
    router = Router(TABLES, FirmwareContext)
    call_runner, handler_consumer = kafka_call_runner(
        service=FIRMWARE,
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
    if directory is None:
        directory = stations_client = DeviceModelStations(
            settings.device_model_address, settings.device_model_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(stations_client.close))
    requests = FirmwareRequests(
        keys or CassandraRequestKeys(session, KEYSPACE),
        commands,
        events or KafkaStationEvents(events_producer, TOPIC, firmware_pb2.FirmwareEvent),
        clock,
        timedelta(seconds=settings.command_expiry_s),
        images or artifacts.artifacts,
        directory,
    )
    history = history or CassandraFirmwareHistory(session)
    campaign_log = campaigns or KafkaCampaignLog(events_producer, session)
    campaigns_projector, campaigns_consumer = kafka_projection_runner(
        settings,
        instance,
        CAMPAIGNS_PROJECTION,
        session=session,
        state=CampaignFolds(campaign_log),
        dead_letter=dead_letter,
    )
    driver = CampaignDriver(
        campaign_log,
        leases or CassandraCampaignLeases(session),
        RequestStationUpdates(requests, clock),
        history,
        clock,
        owner=instance,
        lease_ttl_s=settings.campaign_lease_ttl_s,
        tick_s=settings.campaign_tick_s,
    )
    servicer = FirmwareServicer(requests, history, clock, campaign_log, directory)
    return Service(
        name=NAME,
        instance=instance,
        resources=[
            *resources,
            handler_consumer,
            projector_consumer,
            campaigns_consumer,
            dead_letter,
            events_producer,
        ],
        loops=[call_runner.run, projector.run, campaigns_projector.run, driver.run],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            firmware_pb2_grpc.add_FirmwareServiceServicer_to_server,
            SERVICE_NAME,
            settings.grpc_tls,
            settings.grpc_clients,
        ),
        router=router,
    )


def main() -> None:
    """The process entry (`python -m csms_firmware`, `csms serve firmware`)."""
    settings = FirmwareSettings()
    artifact_settings = ArtifactSettings()
    if settings.environment == "production" and artifact_settings.development_secrets():
        raise DevelopmentSecrets(artifact_settings.development_secrets())
    serve_process(
        NAME,
        settings,
        functools.partial(build, artifact_settings=artifact_settings),
        instance_id=settings.instance_id,
    )
