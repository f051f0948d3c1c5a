"""device-model wiring: `build()` is the one place that builds its adapters, handlers, loops and gRPC API.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka
clients, then runs the call runner (answers BootNotification by the station's boot policy, Heartbeat,
StatusNotification, NotifyReport, NotifyDisplayMessages, DataTransfer through the vendor registry of the installed
entry points, the periodic event streams and, as fallback owner, every unowned action), the stations projector (and
its policies: close replaced connections, deliver queued commands), the device projector (`projections/device.py`),
the operator commands' background work (with the station registry client of set-password and
set-security-profile), the command event relay, the command sweep and the gRPC DeviceModelService (with
provisioning: boot policies and boot history, docs/adr/0031).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_device_model.adapters.command_outbox import CassandraCommandOutbox
from csms_device_model.adapters.command_store import KEYSPACE, CassandraCommandStore
from csms_device_model.adapters.connection_closer import KafkaConnectionCloser
from csms_device_model.adapters.display_and_transfers import CassandraDisplayAndTransfers
from csms_device_model.adapters.edge_client import GrpcEdgeNodeCalls
from csms_device_model.adapters.inventory import CassandraDeviceModelInventory
from csms_device_model.adapters.monitoring_store import CassandraMonitoringReads
from csms_device_model.adapters.periodic_streams import CassandraPeriodicStreams
from csms_device_model.adapters.provisioning import CassandraProvisioning
from csms_device_model.adapters.repository import CassandraStationsRepository
from csms_device_model.adapters.station_credentials import GrpcStationCredentials
from csms_device_model.adapters.vendor_plugins import installed_vendors
from csms_device_model.api.grpc_api import DeviceModelServicer
from csms_device_model.app.command_sweeper import CommandSweeper
from csms_device_model.app.monitoring import StationMonitoring
from csms_device_model.app.operator_commands import OperatorCommands
from csms_device_model.app.provisioning import Provisioning
from csms_device_model.app.send_call import StationCommands
from csms_device_model.domain.provisioning import BootPolicy
from csms_device_model.domain.vendors import VendorRegistry
from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.routing import TABLES
from csms_device_model.policies.close_replaced_connections import CloseReplacedConnections
from csms_device_model.policies.deliver_queued_commands import DeliverQueuedCommands
from csms_device_model.ports import (
    BootHistory,
    BootPolicies,
    CommandStore,
    DataTransferReads,
    DeviceModelInventory,
    DisplayMessageReads,
    EdgeNodeCalls,
    MonitoringReads,
    PendingCommandEvent,
    PeriodicStreams,
    StationCredentials,
    StationsRepository,
)
from csms_device_model.projections import device
from csms_device_model.projections.stations import PROJECTION, StationsState
from csms_device_model.settings import DeviceModelSettings
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import Router
from csms_kernel.infra import topics
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import Closing, GrpcApi, Resource, Service
from csms_kernel.infra.lifecycle import main as serve_process
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from csms_kernel.outbox.event_log import KafkaEventLog
from csms_kernel.outbox.lease import CassandraLease
from csms_kernel.outbox.relay import EventLog, Lease, Outbox, OutboxRelay
from csms_kernel.projecting.projection import NoState
from csms_kernel.projecting.runner import kafka_projection_runner

NAME = "device-model"
SERVICE_NAME = device_model_pb2.DESCRIPTOR.services_by_name["DeviceModelService"].full_name
EVENT_TYPE = device_model_pb2.DeviceModelEvent.DESCRIPTOR.full_name
RELAY_LEASE = "command_event_relay"
SWEEP_LEASE = "command_sweep"


GRANTED = {f"/{SERVICE_NAME}/GetStationProvisioning": ("edge",)}
"""Least privilege: the edge nodes read a reconnecting station's last boot status (docs/adr/0031), nothing else."""


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: DeviceModelSettings,
    *,
    session: CassandraSession | None = None,
    repository: StationsRepository | None = None,
    edges: EdgeNodeCalls | None = None,
    commands: CommandStore | None = None,
    command_outbox: Outbox[PendingCommandEvent] | None = None,
    event_log: EventLog[PendingCommandEvent] | None = None,
    leases: Callable[[str], Lease] | None = None,
    credentials: StationCredentials | None = None,
    periodic_streams: PeriodicStreams | None = None,
    vendors: VendorRegistry | None = None,
    display_messages: DisplayMessageReads | None = None,
    data_transfers: DataTransferReads | None = None,
    inventory: DeviceModelInventory | None = None,
    boot_policies: BootPolicies | None = None,
    boot_history: BootHistory | None = None,
    monitoring: MonitoringReads | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """The device-model service, wired; each keyword replaces a port (tests pass fakes; `leases` makes the lease
    of a job by name; `vendors`: the DataTransfer vendors, by default those installed as entry points;
    `boot_policies`/`boot_history` are the provisioning store). A `session` passed in stays the caller's to connect
    and close."""
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
    repository = repository or CassandraStationsRepository(session)
    if edges is None:
        edges = edge_calls = GrpcEdgeNodeCalls(settings.grpc_tls)
        resources.append(Closing(edge_calls.close))
    if credentials is None:
        credentials = registry = GrpcStationCredentials(
            settings.authorization_address, settings.authorization_timeout_s, settings.grpc_tls
        )
        resources.append(Closing(registry.close))
    if boot_policies is None or boot_history is None:
        provisioning_store = CassandraProvisioning(session)
        boot_policies = boot_policies or provisioning_store
        boot_history = boot_history or provisioning_store
    default_boot_policy = BootPolicy(settings.new_station_boot_policy)
    router = Router(
        TABLES,
        functools.partial(
            DeviceModelContext,
            heartbeat_interval_s=settings.heartbeat_interval_s,
            vendors=installed_vendors() if vendors is None else vendors,
            default_boot_policy=default_boot_policy,
            boot_retry_interval_s=settings.boot_retry_interval_s,
            boot_policies=boot_policies,
        ),
    )
    producer = make_producer(settings.kafka_bootstrap, f"{instance}.projector", security=settings.kafka_security)
    commands = commands or CassandraCommandStore(session)
    if leases is None:
        leases = functools.partial(_lease, session, instance, settings.command_lease_s)
    relay = OutboxRelay(
        command_outbox or CassandraCommandOutbox(session, commands),
        leases(RELAY_LEASE),
        event_log or KafkaEventLog(producer, topics.DEVICE_MODEL_EVENTS, EVENT_TYPE),
        poll_s=settings.command_events_poll_s,
        lease_s=settings.command_lease_s,
        name="command event relay",
    )
    operator_commands = OperatorCommands(
        commands,
        repository,
        edges,
        clock,
        default_timeout_s=settings.default_call_timeout_s,
        grace_s=settings.command_outcome_grace_s,
        deliveries=settings.command_deliveries,
        changed=relay.wake,
        credentials=credentials,
    )
    sweeper = CommandSweeper(
        commands,
        operator_commands,
        leases(SWEEP_LEASE),
        interval_s=settings.command_sweep_interval_s,
        lease_s=settings.command_lease_s,
    )
    call_runner, handler_consumer = kafka_call_runner(
        service=DEVICE_MODEL,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, "csms_device_model.answered_calls"),
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=clock,
    )
    projector, projector_consumer = kafka_projection_runner(
        settings,
        instance,
        PROJECTION,
        session=session,
        state=StationsState(repository, timedelta(seconds=settings.last_seen_resolution_s)),
        dead_letter=producer,
        policies=[
            CloseReplacedConnections(KafkaConnectionCloser(producer, clock)),
            DeliverQueuedCommands(operator_commands),
        ],
    )
    device_projector, device_consumer = kafka_projection_runner(
        settings, instance, device.PROJECTION, session=session, state=NoState(), dead_letter=producer
    )
    display_and_transfers = CassandraDisplayAndTransfers(session)
    provisioning = Provisioning(boot_policies, boot_history, repository, operator_commands, clock, default_boot_policy)
    servicer = DeviceModelServicer(
        repository,
        StationCommands(repository, edges, settings.default_call_timeout_s),
        operator_commands,
        periodic_streams=periodic_streams or CassandraPeriodicStreams(session),
        clock=clock,
        display_messages=display_messages or display_and_transfers,
        data_transfers=data_transfers or display_and_transfers,
        inventory=inventory or CassandraDeviceModelInventory(session),
        provisioning=provisioning,
        monitoring=StationMonitoring(monitoring or CassandraMonitoringReads(session)),
    )
    return Service(
        name=NAME,
        instance=instance,
        resources=[*resources, handler_consumer, projector_consumer, device_consumer, producer],
        loops=[call_runner.run, projector.run, device_projector.run, operator_commands.run, relay.run, sweeper.run],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server,
            SERVICE_NAME,
            settings.grpc_tls,
            settings.grpc_clients,
            granted=GRANTED,
        ),
        router=router,
    )


def _lease(session: CassandraSession, instance: str, ttl_s: int, name: str) -> Lease:
    return CassandraLease(session, KEYSPACE, name, instance, ttl_s)


def main() -> None:
    """The process entry (`python -m csms_device_model`, `csms serve device-model`)."""
    settings = DeviceModelSettings()
    serve_process(NAME, settings, build, instance_id=settings.instance_id)
