"""`/api/v1/stations/{station_id}/periodic-streams`: the OCPP 2.1 periodic event streams a station opened, and one
stream's values between two times (docs/adr/0035). Translation to DeviceModelService.ListPeriodicStreams and
GetPeriodicStreamData."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import AwareDatetime, BaseModel, Field

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import READ
from csms_api.api.context import ApiContext, context
from csms_api.api.problems import documented, invalid
from csms_api.api.stations import StationId

router = APIRouter(prefix="/api/v1/stations", tags=["periodic streams"])
Api = Annotated[ApiContext, Depends(context)]
MAX_VALUES = 10_000
# Cassandra keeps timestamps in milliseconds: the next page starts 1 ms after the last value.
_RESOLUTION = timedelta(milliseconds=1)


class PeriodicStream(BaseModel):
    stream_id: int
    state: Literal["open", "closed", "unknown"] = Field(
        description="unknown: values arrived for a stream whose OpenPeriodicEventStream the CSMS never saw."
    )
    variable_monitoring_id: int | None = Field(description="The monitor whose values the stream carries.")
    interval: int | None = Field(description="Seconds between the station's sends (null: not given).")
    values: int | None = Field(description="Values per send (null: not given).")
    opened_at: datetime | None
    closed_at: datetime | None
    last_data_at: datetime | None = Field(description="When the CSMS last received values of the stream.")


class PeriodicStreams(BaseModel):
    items: list[PeriodicStream]


class StreamValue(BaseModel):
    sampled_at: datetime = Field(description="The send's basetime plus the value's offset.")
    value: str


class StreamData(BaseModel):
    station_id: str
    stream_id: int
    items: list[StreamValue] = Field(description="Oldest first.")
    next_since: datetime | None = Field(
        description="Pass as `since` (same `until`) for the values after these; null when there are no more."
    )


def stream(message: dm.PeriodicStream) -> PeriodicStream:
    state = message.state if message.state in ("open", "closed") else "unknown"
    return PeriodicStream(
        stream_id=message.stream_id,
        state=state,  # type: ignore[arg-type]
        variable_monitoring_id=message.variable_monitoring_id if state != "unknown" else None,
        interval=message.interval_s or None,
        values=message.values or None,
        opened_at=convert.when(message, "opened_at"),
        closed_at=convert.when(message, "closed_at"),
        last_data_at=convert.when(message, "last_data_at"),
    )


@router.get(
    "/{station_id}/periodic-streams",
    dependencies=[READ],
    summary="A station's periodic event streams (OCPP 2.1)",
)
async def list_periodic_streams(station_id: StationId, api: Api) -> PeriodicStreams:
    """Every stream the station opened or sent values of, by stream id (empty for a station without any)."""
    found = await api.device_model.list_periodic_streams(station_id)
    return PeriodicStreams(items=[stream(message) for message in found])


@router.get(
    "/{station_id}/periodic-streams/{stream_id}/data",
    dependencies=[READ],
    responses=documented(422),
    summary="One periodic event stream's values",
)
async def periodic_stream_data(
    station_id: StationId,
    stream_id: Annotated[int, Path(ge=0, le=2**31 - 1, description="The stream's id.")],
    api: Api,
    since: Annotated[AwareDatetime | None, Query(description="From (inclusive); default: 24 h before `until`.")] = None,
    until: Annotated[AwareDatetime | None, Query(description="To (exclusive); default: now.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_VALUES, description="At most this many values.")] = 1000,
) -> StreamData:
    """The stream's values sampled in [since, until), at most 31 days apart."""
    if since is not None and until is not None and not since < until <= since + timedelta(days=31):
        raise invalid("query.since", "since must be before until, at most 31 days")
    request = dm.GetPeriodicStreamDataRequest(station_id=station_id, stream_id=stream_id, limit=limit)
    if since is not None:
        request.since.FromDatetime(since)
    if until is not None:
        request.until.FromDatetime(until)
    values = [
        StreamValue(sampled_at=convert.when(value, "sampled_at") or datetime.min, value=value.value)
        for value in await api.device_model.get_periodic_stream_data(request)
    ]
    next_since = values[-1].sampled_at + _RESOLUTION if len(values) == limit else None
    return StreamData(station_id=station_id, stream_id=stream_id, items=values, next_since=next_since)
