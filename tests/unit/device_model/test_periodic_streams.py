"""The periodic event streams read model (docs/adr/0035): the writes of each event kind through the device
projection, the adapter's day partitions, and the gRPC reads of the wired servicer over a fake (defaults, limits,
refusals)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import grpc
import pytest

from csms.device_model.v1 import device_model_pb2 as pb
from csms_device_model.adapters.periodic_streams import days, stream_message
from csms_device_model.api.grpc_api import DeviceModelServicer
from csms_device_model.bootstrap import build
from csms_device_model.projections import device, periodic_streams
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.projecting.writes import Write, micros
from kit.builders.device_model import NOW, SETTINGS
from kit.fakes.device_model import InMemoryStationsRepository, ScriptedEdge
from kit.fakes.grpc_context import CONTEXT, Aborted
from kit.fakes.periodic_streams import InMemoryPeriodicStreams

AT = datetime(2026, 11, 21, 23, 59, 59, tzinfo=UTC)


def event(**kind: object) -> pb.DeviceModelEvent:
    return pb.DeviceModelEvent(station_id="CS-1", occurred_at=timestamp(AT), **kind)  # type: ignore[arg-type]


def test_an_opened_stream_keeps_its_definition() -> None:
    opened = pb.PeriodicStreamOpened(stream_id=7, variable_monitoring_id=12, interval_s=60, values=10)
    assert device.writes([event(periodic_stream_opened=opened)], None) == [
        Write(periodic_streams.OPENED, (micros(AT), 12, 60, 10, AT, "CS-1", 7))
    ]


def test_a_closed_stream_is_marked_closed() -> None:
    closed = pb.PeriodicStreamClosed(stream_id=7)
    assert device.writes([event(periodic_stream_closed=closed)], None) == [
        Write(periodic_streams.CLOSED, (micros(AT), AT, "CS-1", 7))
    ]


def test_stream_values_go_to_the_partition_of_their_own_day() -> None:
    data = pb.PeriodicStreamDataReceived(stream_id=7, pending=0, basetime=timestamp(AT))
    data.values.add(sampled_at=timestamp(AT), value="1")
    data.values.add(sampled_at=timestamp(AT + timedelta(seconds=2)), value="2")
    assert device.writes([event(periodic_stream_data_received=data)], None) == [
        Write(periodic_streams.LAST_DATA, (micros(AT), AT, "CS-1", 7)),
        Write(periodic_streams.VALUE, ("CS-1", 7, date(2026, 11, 21), AT, "1", micros(AT))),
        Write(periodic_streams.VALUE, ("CS-1", 7, date(2026, 11, 22), AT + timedelta(seconds=2), "2", micros(AT))),
    ]


def test_the_projection_truncates_the_streams_tables_on_rebuild() -> None:
    assert set(periodic_streams.TABLES) <= set(device.PROJECTION.tables)


def test_a_span_reads_every_day_it_touches_in_order() -> None:
    assert days(AT - timedelta(days=1), AT + timedelta(seconds=1)) == [
        date(2026, 11, 20),
        date(2026, 11, 21),
        date(2026, 11, 22),
    ]
    assert days(AT, AT) == [date(2026, 11, 21)]


def test_a_stream_seen_only_through_its_values_reads_as_unknown() -> None:
    row = {"station_id": "CS-1", "stream_id": 7, "last_data_at": AT.replace(tzinfo=None)}
    assert stream_message(row) == pb.PeriodicStream(
        station_id="CS-1", stream_id=7, state="unknown", last_data_at=timestamp(AT)
    )


def servicer(streams: InMemoryPeriodicStreams) -> DeviceModelServicer:
    api = build(
        SETTINGS,
        repository=InMemoryStationsRepository(),
        edges=ScriptedEdge(RuntimeError("no station calls")),
        periodic_streams=streams,
        clock=lambda: NOW,
    ).grpc
    assert api is not None
    built: DeviceModelServicer = api.servicer
    return built


async def test_list_returns_the_stations_streams() -> None:
    streams = InMemoryPeriodicStreams(
        rows=[pb.PeriodicStream(station_id="CS-1", stream_id=7, state="open"), pb.PeriodicStream(station_id="CS-2")]
    )
    listed = await servicer(streams).ListPeriodicStreams(pb.ListPeriodicStreamsRequest(station_id="CS-1"), CONTEXT)
    assert list(listed.streams) == [pb.PeriodicStream(station_id="CS-1", stream_id=7, state="open")]


async def test_data_defaults_to_the_last_day_and_a_thousand_values() -> None:
    streams = InMemoryPeriodicStreams()
    streams.add_value("CS-1", 7, NOW - timedelta(hours=25), "too old")
    streams.add_value("CS-1", 7, NOW - timedelta(seconds=1), "2")
    streams.add_value("CS-1", 7, NOW - timedelta(hours=2), "1")
    got = await servicer(streams).GetPeriodicStreamData(
        pb.GetPeriodicStreamDataRequest(station_id="CS-1", stream_id=7), CONTEXT
    )
    assert [value.value for value in got.values] == ["1", "2"]
    assert streams.asked == [("CS-1", 7, NOW - timedelta(days=1), NOW, 1000)]


async def test_data_between_two_times_with_a_limit() -> None:
    streams = InMemoryPeriodicStreams()
    for n in range(5):
        streams.add_value("CS-1", 7, AT + timedelta(seconds=n), str(n))
    request = pb.GetPeriodicStreamDataRequest(
        station_id="CS-1",
        stream_id=7,
        since=timestamp(AT + timedelta(seconds=1)),
        until=timestamp(AT + timedelta(1)),
        limit=2,
    )
    assert [value.value for value in (await servicer(streams).GetPeriodicStreamData(request, CONTEXT)).values] == [
        "1",
        "2",
    ]


@pytest.mark.parametrize(
    ("request_", "message"),
    [
        (pb.GetPeriodicStreamDataRequest(stream_id=7), "station_id is required"),
        (pb.GetPeriodicStreamDataRequest(station_id="CS-1", limit=10_001), "limit must be at most 10000"),
        (
            pb.GetPeriodicStreamDataRequest(station_id="CS-1", since=timestamp(NOW), until=timestamp(NOW)),
            "since must be before until",
        ),
        (
            pb.GetPeriodicStreamDataRequest(station_id="CS-1", since=timestamp(NOW - timedelta(days=32))),
            "at most 31 days",
        ),
    ],
)
async def test_bad_data_requests_are_refused(request_: pb.GetPeriodicStreamDataRequest, message: str) -> None:
    with pytest.raises(Aborted) as refused:
        await servicer(InMemoryPeriodicStreams()).GetPeriodicStreamData(request_, CONTEXT)
    assert refused.value.code is grpc.StatusCode.INVALID_ARGUMENT
    assert message in refused.value.details
