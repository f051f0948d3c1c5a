"""The stations projector on fakes: presence, last seen, events → exact writes, old connections closed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiokafka import ConsumerRecord

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import CloseOldConnection, Presence
from csms_device_model.projections import stations
from csms_device_model.projections.projector import StationsProjector
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from kit.fakes.device_model import InMemoryStationsRepository, RecordingCloser

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def record(topic: str, value: bytes, offset: int = 0) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(topic, 0, offset, 0, 0, b"CS-1", value, None, len(b"CS-1"), len(value), [])


def frame(kind: int, at: datetime, connection: str = "c1", node: str = "edge-1") -> bytes:
    return envelope_pb2.Envelope(
        station_id="CS-1",
        kind=kind,  # type: ignore[arg-type]
        direction=envelope_pb2.DIRECTION_STATION_TO_CSMS,
        edge_node_id=node,
        connection_id=connection,
        edge_address=f"{node}:1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        received_at=timestamp(at),
    ).SerializeToString()


async def test_batch_projects_presence_last_seen_and_events() -> None:
    repo, closer = InMemoryStationsRepository(), RecordingCloser()
    booted = device_model_pb2.DeviceModelEvent(
        station_id="CS-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        message_id="m",
        occurred_at=timestamp(T0),
        station_booted=device_model_pb2.StationBooted(vendor="V", model="M"),
    )
    await StationsProjector(repo, closer).apply(
        [
            record(topics.FRAMES, frame(envelope_pb2.KIND_CONNECTED, T0)),
            record(topics.FRAMES, frame(envelope_pb2.KIND_FRAME, T0 + timedelta(seconds=2))),
            record(topics.FRAMES, frame(envelope_pb2.KIND_FRAME, T0 + timedelta(seconds=1))),
            record(topics.DEVICE_MODEL_EVENTS, booted.SerializeToString()),
        ]
    )
    assert repo.presences["CS-1"] == Presence(True, "edge-1", "c1", "edge-1:1", "ocpp1.6")
    assert stations.last_seen("CS-1", T0 + timedelta(seconds=2)) in repo.writes
    assert stations.from_event(booted)[0] in repo.writes
    assert closer.closed == []


async def test_last_seen_is_written_at_most_once_per_resolution() -> None:
    repo = InMemoryStationsRepository()
    projector = StationsProjector(repo, RecordingCloser(), last_seen_resolution=timedelta(seconds=30))
    for seconds in (0, 10, 29, 30, 45, 61):
        await projector.apply([record(topics.FRAMES, frame(envelope_pb2.KIND_FRAME, T0 + timedelta(seconds=seconds)))])
    written = [T0 + timedelta(seconds=seconds) for seconds in (0, 30, 61)]
    assert [w for w in repo.writes if w.cql == stations.LAST_SEEN] == [stations.last_seen("CS-1", at) for at in written]


async def test_reconnect_elsewhere_closes_old_connection_and_ignores_its_late_disconnect() -> None:
    repo, closer = InMemoryStationsRepository(), RecordingCloser()
    repo.presences["CS-1"] = Presence(True, "edge-1", "c1", "edge-1:1", "ocpp1.6")
    await StationsProjector(repo, closer).apply(
        [
            record(topics.FRAMES, frame(envelope_pb2.KIND_CONNECTED, T0, "c2", "edge-2")),
            record(topics.FRAMES, frame(envelope_pb2.KIND_DISCONNECTED, T0, "c1", "edge-1")),
        ]
    )
    assert repo.presences["CS-1"] == Presence(True, "edge-2", "c2", "edge-2:1", "ocpp1.6")
    assert closer.closed == [("CS-1", CloseOldConnection("edge-1", "c1"))]
