"""Periodic event streams over HTTP (docs/adr/0035): a station's streams and one stream's values, the query reaching
DeviceModelService.GetPeriodicStreamData, the next page's `since`, and bad input answered 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.domain.keys import Scope
from csms_kernel.infra.envelopes import timestamp
from kit.builders.api import Api

AT = datetime(2026, 11, 21, 11, tzinfo=UTC)


async def test_a_stations_streams(api: Api) -> None:
    api.device_model.periodic_streams = [
        dm.PeriodicStream(
            station_id="CP-1",
            stream_id=7,
            variable_monitoring_id=12,
            interval_s=60,
            values=10,
            state="open",
            opened_at=timestamp(AT),
            last_data_at=timestamp(AT + timedelta(minutes=1)),
        ),
        dm.PeriodicStream(station_id="CP-1", stream_id=8, last_data_at=timestamp(AT)),
        dm.PeriodicStream(station_id="CP-2", stream_id=1, state="open"),
    ]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/periodic-streams")
    assert answer.status_code == 200
    assert answer.json() == {
        "items": [
            {
                "stream_id": 7,
                "state": "open",
                "variable_monitoring_id": 12,
                "interval": 60,
                "values": 10,
                "opened_at": "2026-11-21T11:00:00Z",
                "closed_at": None,
                "last_data_at": "2026-11-21T11:01:00Z",
            },
            {
                "stream_id": 8,
                "state": "unknown",
                "variable_monitoring_id": None,
                "interval": None,
                "values": None,
                "opened_at": None,
                "closed_at": None,
                "last_data_at": "2026-11-21T11:00:00Z",
            },
        ]
    }


async def test_a_streams_values_and_where_the_next_page_starts(api: Api) -> None:
    api.device_model.stream_values = [
        dm.PeriodicStreamValue(sampled_at=timestamp(AT + timedelta(seconds=n)), value=str(n)) for n in range(3)
    ]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get(
            "/api/v1/stations/CP-1/periodic-streams/7/data",
            params={"since": "2026-11-21T10:00:00Z", "until": "2026-11-21T12:00:00Z", "limit": 2},
        )
    assert answer.status_code == 200
    assert answer.json() == {
        "station_id": "CP-1",
        "stream_id": 7,
        "items": [
            {"sampled_at": "2026-11-21T11:00:00Z", "value": "0"},
            {"sampled_at": "2026-11-21T11:00:01Z", "value": "1"},
        ],
        "next_since": "2026-11-21T11:00:01.001000Z",
    }
    (request,) = [args[0] for name, *args in api.device_model.calls if name == "get_periodic_stream_data"]
    assert request == dm.GetPeriodicStreamDataRequest(
        station_id="CP-1",
        stream_id=7,
        since=timestamp(AT - timedelta(hours=1)),
        until=timestamp(AT + timedelta(hours=1)),
        limit=2,
    )


async def test_the_last_page_has_no_next_since(api: Api) -> None:
    api.device_model.stream_values = [dm.PeriodicStreamValue(sampled_at=timestamp(AT), value="1")]
    async with await api.as_(Scope.READ) as client:
        answer = await client.get("/api/v1/stations/CP-1/periodic-streams/7/data")
    assert answer.json()["next_since"] is None


async def test_bad_queries_are_422(api: Api) -> None:
    async with await api.as_(Scope.READ) as client:
        reversed_span = await client.get(
            "/api/v1/stations/CP-1/periodic-streams/7/data",
            params={"since": "2026-11-21T12:00:00Z", "until": "2026-11-21T10:00:00Z"},
        )
        too_many = await client.get("/api/v1/stations/CP-1/periodic-streams/7/data", params={"limit": 10_001})
        bad_stream = await client.get("/api/v1/stations/CP-1/periodic-streams/-1/data")
    assert [answer.status_code for answer in (reversed_span, too_many, bad_stream)] == [422] * 3
    assert "since must be before until" in reversed_span.text
