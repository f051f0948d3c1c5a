"""The close-replaced-connections policy: a reconnect on another node closes the old connection, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import CloseOldConnection, Presence
from csms_device_model.policies.close_replaced_connections import CloseReplacedConnections
from csms_device_model.projections.stations import StationsView
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.device_model import RecordingCloser

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def frame(kind: int, connection: str, node: str) -> envelope_pb2.Envelope:
    return envelope_pb2.Envelope(
        station_id="CS-1",
        kind=kind,  # type: ignore[arg-type]
        edge_node_id=node,
        connection_id=connection,
        edge_address=f"{node}:1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        received_at=timestamp(T0),
    )


def on(presence: Presence | None) -> StationsView:
    return StationsView({"CS-1": presence}, {}, timedelta(seconds=30))


async def test_reconnect_elsewhere_closes_the_old_connection_and_ignores_its_late_disconnect() -> None:
    closer = RecordingCloser()
    events = [
        frame(envelope_pb2.KIND_CONNECTED, "c2", "edge-2"),
        frame(envelope_pb2.KIND_DISCONNECTED, "c1", "edge-1"),
    ]
    await CloseReplacedConnections(closer).after_writes(events, on(Presence(True, "edge-1", "c1", "edge-1:1", "")))
    assert closer.closed == [("CS-1", CloseOldConnection("edge-1", "c1"))]


async def test_nothing_to_close_on_a_first_connection_or_on_the_same_node() -> None:
    closer = RecordingCloser()
    policy = CloseReplacedConnections(closer)
    await policy.after_writes([frame(envelope_pb2.KIND_CONNECTED, "c1", "edge-1")], on(None))
    await policy.after_writes(
        [frame(envelope_pb2.KIND_CONNECTED, "c2", "edge-1")], on(Presence(True, "edge-1", "c1", "edge-1:1", ""))
    )
    assert closer.closed == []
