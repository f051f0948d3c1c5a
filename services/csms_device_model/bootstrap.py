"""device-model wiring: the one place that builds its adapters and runs its loops and gRPC server.

Runs three things until cancelled: the call runner (answers BootNotification, Heartbeat, StatusNotification
and, as fallback owner, every unowned action), the stations projector, and the gRPC DeviceModelService.
"""

from __future__ import annotations

import asyncio
import logging
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
from csms_device_model.projections.stations import PROJECTION, StationsState
from csms_device_model.settings import DeviceModelSettings
from csms_kernel.handling.answered_calls import CassandraAnsweredCalls
from csms_kernel.handling.call_runner import kafka_call_runner
from csms_kernel.handling.router import CallInfo, Emitted, Router
from csms_kernel.infra import cassandra, topics
from csms_kernel.infra.grpc_server import build_server
from csms_kernel.infra.kafka import make_producer
from csms_kernel.infra.lifecycle import configure_logging, run_until_signalled
from csms_kernel.ocpp.ownership import DEVICE_MODEL
from csms_kernel.projecting.runner import ProjectionRunner, kafka_projection_consumer
from csms_kernel.projecting.writes import CassandraWriter
from csms_kernel.telemetry import installed

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def run(settings: DeviceModelSettings, *, ready: asyncio.Event | None = None) -> None:
    instance = settings.device_model_instance_id
    session = await cassandra.connect(
        settings.cassandra_contact_points, settings.cassandra_port, settings.cassandra_local_dc, None
    )
    repository = CassandraStationsRepository(session)
    edges = GrpcEdgeNodeCalls()
    router = Router(TABLES, lambda call, emitted: _context(call, emitted, settings.heartbeat_interval_s))
    projector_consumer = kafka_projection_consumer(
        settings, PROJECTION.name, f"{instance}.projector", *PROJECTION.topics
    )
    producer = make_producer(settings.kafka_bootstrap, f"{instance}.projector")
    call_runner, handler_consumer = kafka_call_runner(
        service=DEVICE_MODEL,
        instance=instance,
        settings=settings,
        router=router,
        answered=CassandraAnsweredCalls(session, "csms_device_model.answered_calls"),
        events_topic=topics.DEVICE_MODEL_EVENTS,
        clock=utc_now,
    )
    projector = ProjectionRunner(
        projection=PROJECTION,
        consumer=projector_consumer,
        writer=CassandraWriter(session, PROJECTION.keyspace),
        state=StationsState(repository, timedelta(seconds=settings.last_seen_resolution_s)),
        dead_letter=producer,
        policies=[CloseReplacedConnections(KafkaConnectionCloser(producer, utc_now))],
    )
    servicer = DeviceModelServicer(repository, StationCommands(repository, edges, settings.default_call_timeout_s))
    service_name = device_model_pb2.DESCRIPTOR.services_by_name["DeviceModelService"].full_name
    server = build_server(
        settings.device_model_grpc_listen,
        [(lambda s: device_model_pb2_grpc.add_DeviceModelServiceServicer_to_server(servicer, s), service_name)],
    )
    clients = (handler_consumer, projector_consumer, producer)
    try:
        for client in clients:
            await client.start()
        await server.start()
        log.info("device-model %s serving gRPC on port %d", instance, server.port)
        if ready is not None:
            ready.set()
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(call_runner.run())
            tasks.create_task(projector.run())
    finally:
        await server.stop()
        for client in reversed(clients):
            await client.stop()
        await edges.close()
        await session.close()


def _context(call: CallInfo, emitted: Emitted, heartbeat_interval_s: int) -> DeviceModelContext:
    return DeviceModelContext(call, emitted, heartbeat_interval_s)


def main() -> None:
    settings = DeviceModelSettings()
    configure_logging(settings.log_level)
    with installed("device-model", settings.metrics_port, instance_id=settings.device_model_instance_id):
        run_until_signalled(lambda: run(settings))
