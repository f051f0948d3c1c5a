"""The periodic event streams read model on the real Cassandra (docs/adr/0035): events projected by the device
projection's writers, read back through `CassandraPeriodicStreams`: definitions and state, values across day
partitions in time order, limits, and a replay in another order converging on the same rows."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.adapters.periodic_streams import CassandraPeriodicStreams
from csms_device_model.projections import device
from csms_kernel.infra.cassandra import CassandraSession
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import CassandraWriter

pytestmark = pytest.mark.integration

KEYSPACE = "csms_device_model"
BASE = datetime(2026, 11, 21, 23, 59, 58, tzinfo=UTC)


def events(station_id: str) -> list[pb.DeviceModelEvent]:
    def event(at: datetime, **kind: object) -> pb.DeviceModelEvent:
        return pb.DeviceModelEvent(station_id=station_id, occurred_at=timestamp(at), **kind)  # type: ignore[arg-type]

    data = pb.PeriodicStreamDataReceived(stream_id=7, pending=0, basetime=timestamp(BASE))
    for offset in range(5):  # 23:59:58 .. 00:00:02, two days
        data.values.add(sampled_at=timestamp(BASE + timedelta(seconds=offset)), value=f"{230 + offset}.5")
    return [
        event(
            BASE, periodic_stream_opened=pb.PeriodicStreamOpened(stream_id=7, variable_monitoring_id=3, interval_s=5)
        ),
        event(BASE + timedelta(seconds=5), periodic_stream_data_received=data),
        event(BASE + timedelta(seconds=9), periodic_stream_closed=pb.PeriodicStreamClosed(stream_id=7)),
    ]


async def project(session: CassandraSession, batch: list[pb.DeviceModelEvent]) -> None:
    await CassandraWriter(session, KEYSPACE).apply(device.writes(batch, None))


async def test_a_streams_definition_state_and_values_read_back(session: CassandraSession) -> None:
    station_id = f"CS-{uuid.uuid4().hex[:12]}"
    await project(session, events(station_id))
    streams = CassandraPeriodicStreams(session)

    assert await streams.streams(station_id) == [
        pb.PeriodicStream(
            station_id=station_id,
            stream_id=7,
            variable_monitoring_id=3,
            interval_s=5,
            state="closed",
            opened_at=timestamp(BASE),
            closed_at=timestamp(BASE + timedelta(seconds=9)),
            last_data_at=timestamp(BASE + timedelta(seconds=5)),
        )
    ]
    values = await streams.values(station_id, 7, BASE - timedelta(hours=1), BASE + timedelta(hours=1), 100)
    assert [(v.sampled_at.ToDatetime(tzinfo=UTC), v.value) for v in values] == [
        (BASE + timedelta(seconds=n), f"{230 + n}.5") for n in range(5)
    ]
    window = await streams.values(station_id, 7, BASE + timedelta(seconds=1), BASE + timedelta(seconds=4), 100)
    assert [v.value for v in window] == ["231.5", "232.5", "233.5"]
    limited = await streams.values(station_id, 7, BASE, BASE + timedelta(hours=1), 3)
    assert [v.value for v in limited] == ["230.5", "231.5", "232.5"]
    assert await streams.values(station_id, 8, BASE, BASE + timedelta(hours=1), 100) == []


async def test_a_replay_in_another_order_converges(session: CassandraSession) -> None:
    in_order, replayed = f"CS-{uuid.uuid4().hex[:12]}", f"CS-{uuid.uuid4().hex[:12]}"
    await project(session, events(in_order))
    for event in reversed(events(replayed) + events(replayed)):
        await project(session, [event])
    streams = CassandraPeriodicStreams(session)
    first, second = await streams.streams(in_order), await streams.streams(replayed)
    for stream in (*first, *second):
        stream.station_id = ""
    assert first == second
    since, until = BASE - timedelta(hours=1), BASE + timedelta(hours=1)
    assert await streams.values(in_order, 7, since, until, 100) == await streams.values(replayed, 7, since, until, 100)


async def test_values_of_a_stream_never_opened_read_as_unknown(session: CassandraSession) -> None:
    station_id = f"CS-{uuid.uuid4().hex[:12]}"
    await project(session, events(station_id)[1:2])
    (stream,) = await CassandraPeriodicStreams(session).streams(station_id)
    assert (stream.state, stream.HasField("opened_at")) == ("unknown", False)
