"""The stations projection: batches of frames and device-model events → exact writes, on a given current state;
its state step (presences read, last-seen times remembered) and its declaration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2
from csms.envelope.v1 import envelope_pb2
from csms_device_model.domain.presence import Presence
from csms_device_model.projections import stations
from csms_device_model.projections.stations import PROJECTION, StationEvent, StationsState, StationsView
from csms_kernel.infra import topics
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros
from kit.fakes.device_model import InMemoryStationsRepository

T0 = datetime(2026, 1, 1, tzinfo=UTC)
T1 = T0 + timedelta(seconds=1)
T2 = T0 + timedelta(seconds=2)
ON_1 = Presence(True, "edge-1", "c1", "edge-1:1", "ocpp1.6")
ON_2 = Presence(True, "edge-2", "c2", "edge-2:1", "ocpp1.6")


def frame(kind: int, at: datetime, connection: str = "c1", node: str = "edge-1") -> envelope_pb2.Envelope:
    return envelope_pb2.Envelope(
        station_id="CS-1",
        kind=kind,  # type: ignore[arg-type]
        direction=envelope_pb2.DIRECTION_STATION_TO_CSMS,
        edge_node_id=node,
        connection_id=connection,
        edge_address=f"{node}:1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        received_at=timestamp(at),
    )


def device_event(**oneof: object) -> device_model_pb2.DeviceModelEvent:
    return device_model_pb2.DeviceModelEvent(
        station_id="CS-1",
        ocpp_version=envelope_pb2.OCPP_VERSION_16,
        message_id="m",
        occurred_at=timestamp(T0),
        **oneof,  # type: ignore[arg-type]
    )


def view(presence: Presence | None = None, written: datetime | None = None) -> StationsView:
    return StationsView({"CS-1": presence}, {"CS-1": written} if written else {}, timedelta(seconds=30))


def presence_write(p: Presence, at: datetime) -> Write:
    params = (micros(at), p.connected, p.edge_node_id, p.connection_id, p.edge_address, p.ocpp_version, "CS-1")
    return Write(stations.PRESENCE, params)


CONNECTED = envelope_pb2.KIND_CONNECTED
DISCONNECTED = envelope_pb2.KIND_DISCONNECTED
FRAME = envelope_pb2.KIND_FRAME
BOOTED = device_event(
    station_booted=device_model_pb2.StationBooted(
        vendor="V", model="M", reason="PowerUp", registration_status="Accepted"
    )
)
STATUS = device_event(
    connector_status_changed=device_model_pb2.ConnectorStatusChanged(
        evse_id=1, connector_id=2, status="Available", error_code="NoError", timestamp=timestamp(T1)
    )
)

CASES: list[tuple[str, Sequence[StationEvent], StationsView, list[Write]]] = [
    (
        "boot",
        [BOOTED],
        view(),
        [
            Write(stations.BOOTED, (micros(T0), "V", "M", "", "", "PowerUp", "Accepted", "ocpp1.6", T0, "CS-1")),
            Write(stations.REGISTRATION, (micros(T0), "Accepted", T0, "CS-1")),
        ],
    ),
    (
        "connector status",
        [STATUS],
        view(),
        [Write(stations.CONNECTOR_STATUS, (micros(T0), "Available", "NoError", T1, "CS-1", 1, 2))],
    ),
    (
        "first connection, then frames: the latest is last seen",
        [frame(CONNECTED, T0), frame(FRAME, T2), frame(FRAME, T1)],
        view(),
        [presence_write(ON_1, T0), Write(stations.LAST_SEEN, (micros(T2), T2, "CS-1"))],
    ),
    (
        "reconnect elsewhere, then the replaced connection's late disconnect",
        [frame(CONNECTED, T1, "c2", "edge-2"), frame(DISCONNECTED, T2, "c1", "edge-1")],
        view(ON_1),
        [presence_write(ON_2, T1)],
    ),
    (
        "disconnect of the current connection",
        [frame(DISCONNECTED, T1)],
        view(ON_1),
        [presence_write(Presence(False, "edge-1", "c1", "edge-1:1", "ocpp1.6"), T1)],
    ),
    ("connected again on the same connection", [frame(CONNECTED, T1)], view(ON_1), []),
    (
        "heard from before the last-seen resolution passed",
        [frame(FRAME, T0 + timedelta(seconds=29))],
        view(None, T0),
        [],
    ),
    (
        "heard from once the resolution passed",
        [frame(FRAME, T0 + timedelta(seconds=30))],
        view(None, T0),
        [Write(stations.LAST_SEEN, (micros(T0) + 30_000_000, T0 + timedelta(seconds=30), "CS-1"))],
    ),
    (
        "device-model events first, then presence, then last seen",
        [frame(FRAME, T1), BOOTED, frame(CONNECTED, T0)],
        view(),
        [*stations.from_event(BOOTED), presence_write(ON_1, T0), Write(stations.LAST_SEEN, (micros(T1), T1, "CS-1"))],
    ),
]


@pytest.mark.parametrize(("events", "state", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_events_to_writes(events: Sequence[StationEvent], state: StationsView, expected: list[Write]) -> None:
    assert stations.writes(events, state) == expected


async def test_the_state_step_reads_the_presence_of_stations_that_connected_or_disconnected_only() -> None:
    repository = InMemoryStationsRepository(presences={"CS-1": ON_1})
    step = StationsState(repository, timedelta(seconds=30))
    assert await step.read([frame(FRAME, T0), BOOTED]) == StationsView({}, {}, timedelta(seconds=30))
    assert await step.read([frame(DISCONNECTED, T0)]) == StationsView({"CS-1": ON_1}, {}, timedelta(seconds=30))


async def test_last_seen_is_written_at_most_once_per_resolution() -> None:
    step = StationsState(InMemoryStationsRepository(), timedelta(seconds=30))
    written = []
    for seconds in (0, 10, 29, 30, 45, 61):
        events = [frame(FRAME, T0 + timedelta(seconds=seconds))]
        state = await step.read(events)
        written += stations.writes(events, state)
        step.applied(events, state)
    assert written == [stations.last_seen("CS-1", T0 + timedelta(seconds=seconds)) for seconds in (0, 30, 61)]


def test_the_declaration() -> None:
    assert (PROJECTION.name, PROJECTION.event_types, PROJECTION.keyspace, PROJECTION.tables) == (
        "device_model.projector.stations",
        {topics.FRAMES: envelope_pb2.Envelope, topics.DEVICE_MODEL_EVENTS: device_model_pb2.DeviceModelEvent},
        "csms_device_model",
        ("stations", "connector_status", "station_registrations"),
    )
    assert PROJECTION.writes is stations.writes
