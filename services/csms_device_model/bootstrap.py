"""device-model wiring: `build()` is the one place that builds its adapters, handlers, loops and gRPC API.

No I/O: `build()` only constructs; `csms_kernel.infra.lifecycle.serve()` starts the Cassandra session and Kafka
clients, then runs the call runner (answers BootNotification, Heartbeat, StatusNotification and, as fallback
owner, every unowned action), the stations projector and the gRPC DeviceModelService.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from csms.device_model.v1 import device_model_pb2, device_model_pb2_grpc
from csms_device_model.adapters.connection_closer import KafkaConnectionCloser
from csms_device_model.adapters.edge_client import GrpcEdgeNodeCalls
from csms_device_model.adapters.repository import CassandraStationsRepository
from csms_device_model.api.grpc_api import DeviceModelServicer
from csms_device_model.app.send_call import StationCommands
from csms_device_model.ocpp.context import DeviceModelContext
from csms_device_model.ocpp.routing import TABLES
from csms_device_model.policies.close_replaced_connections import CloseReplacedConnections
from csms_device_model.ports import EdgeNodeCalls, StationsRepository
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
from csms_kernel.projecting.runner import kafka_projection_runner

NAME = "device-model"
SERVICE_NAME = device_model_pb2.DESCRIPTOR.services_by_name["DeviceModelService"].full_name


def utc_now() -> datetime:
    return datetime.now(UTC)


def build(
    settings: DeviceModelSettings,
    *,
    session: CassandraSession | None = None,
    repository: StationsRepository | None = None,
    edges: EdgeNodeCalls | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    """The device-model service, wired; each keyword replaces a port (tests pass fakes). A `session` passed
    in stays the caller's to connect and close."""
    instance = settings.instance_id
    resources: list[Resource] = []
    if session is None:
        session = CassandraSession(
            settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, None
        )
        resources.append(session)
    repository = repository or CassandraStationsRepository(session)
    if edges is None:
        edges = edge_calls = GrpcEdgeNodeCalls()
        resources.append(Closing(edge_calls.close))
    router = Router(TABLES, functools.partial(DeviceModelContext, heartbeat_interval_s=settings.heartbeat_interval_s))
    producer = make_producer(settings.kafka_bootstrap, f"{instance}.projector")
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
        policies=[CloseReplacedConnections(KafkaConnectionCloser(producer, clock))],
    )
    servicer = DeviceModelServicer(repository, StationCommands(repository, edges, settings.default_call_timeout_s))
    return Service(
        name=NAME,
        instance=instance,
        resources=[*resources, handler_consumer, projector_consumer, producer],
        loops=[call_runner.run, projector.run],
        grpc=GrpcApi(
            settings.grpc_listen,
            servicer,
            device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server,
            SERVICE_NAME,
        ),
        router=router,
    )


def main() -> None:
    """The process entry (`python -m csms_device_model`, `csms serve device-model`)."""
    settings = DeviceModelSettings()
    serve_process(NAME, settings, build, instance_id=settings.instance_id)
