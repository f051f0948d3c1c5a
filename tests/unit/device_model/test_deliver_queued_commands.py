"""Which stations the stations projection asks to get their queued commands: accepted boots and connections."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import Presence
from csms_device_model.policies.deliver_queued_commands import DeliverQueuedCommands, stations_to_deliver
from csms_device_model.projections.stations import StationsView
from csms_kernel.infra.envelopes import timestamp

T0 = datetime(2026, 11, 21, 12, tzinfo=UTC)


def booted(station_id: str, status: str) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id=station_id, station_booted=device_model_pb2.StationBooted(registration_status=status)
    )


def connection(station_id: str, kind: envelope_pb2.Kind.ValueType, connection_id: str) -> envelope_pb2.Envelope:
    return envelope_pb2.Envelope(
        station_id=station_id,
        kind=kind,
        connection_id=connection_id,
        edge_node_id="edge-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        received_at=timestamp(T0),
    )


VIEW = StationsView(
    {"CS-3": Presence(True, "edge-1", "c-3", "a", "ocpp1.6"), "CS-4": None},
    {},
    timedelta(seconds=30),
)


def test_accepted_and_pending_boots_and_connections() -> None:
    events = [
        booted("CS-1", "Accepted"),
        booted("CS-2", "Pending"),
        booted("CS-6", "Rejected"),
        connection("CS-3", envelope_pb2.KIND_DISCONNECTED, "c-3"),
        connection("CS-4", envelope_pb2.KIND_CONNECTED, "c-4"),
        booted("CS-4", "Accepted"),
        device_model_pb2.DeviceModelEvent(station_id="CS-5", command_queued=device_model_pb2.CommandQueued()),
    ]
    assert stations_to_deliver(events, VIEW) == ["CS-4", "CS-1", "CS-2"]


async def test_the_policy_asks_for_each_delivery() -> None:
    asked: list[str] = []

    class Deliveries:
        def trigger(self, station_id: str) -> None:
            asked.append(station_id)

    await DeliverQueuedCommands(Deliveries()).after_writes([booted("CS-1", "Accepted")], VIEW)
    assert asked == ["CS-1"]
