"""A station's monitoring and events (OCPP 2.x block N, docs/adr/0033) under `/api/v1/stations/{id}`: its event log
(NotifyEvent, newest first, filtered by time, cleared flag and severity), the monitors the CSMS knows it has with
the progress of its monitoring reports, and an assembled customer information report. Translation to
DeviceModelService only."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Limit, Page, json_filters, next_cursor, page_token
from csms_kernel.infra.envelopes import timestamp

router = APIRouter(prefix="/api/v1/stations", tags=["monitoring"])
LISTING = "station-events"
Api = Annotated[ApiContext, Depends(context)]
StationId = Annotated[str, Path(min_length=1, max_length=48, description="The station's OCPP identity.")]


class MonitoredVariable(BaseModel):
    component: str
    component_instance: str | None
    evse_id: int | None
    connector_id: int | None
    variable: str
    variable_instance: str | None


class StationEvent(BaseModel):
    event_id: int = Field(description="The station's eventId.")
    timestamp: datetime | None = Field(description="When it happened, by the station's clock; the order.")
    trigger: str = Field(description="Alerting, Delta or Periodic.")
    cause: int | None = Field(description="The eventId of the event that caused this one.")
    actual_value: str
    tech_code: str | None
    tech_info: str | None
    cleared: bool = Field(description="The problem the event reported is gone.")
    transaction_id: str | None
    variable_monitoring_id: int | None
    event_notification_type: str = Field(
        description="HardWiredNotification, HardWiredMonitor, PreconfiguredMonitor or CustomMonitor."
    )
    severity: int | None = Field(
        description="0 (danger) .. 9 (debug): the event's own (2.1) or its monitor's as the CSMS knows it."
    )
    target: MonitoredVariable
    received_at: datetime | None = Field(description="When the CSMS received the NotifyEvent.")
    message_id: str | None
    ocpp_version: convert.OcppVersionName | None


class Monitor(BaseModel):
    id: int
    target: MonitoredVariable
    type: str = Field(description="UpperThreshold, LowerThreshold, Delta, Periodic, PeriodicClockAligned, ...")
    value: float
    severity: int
    transaction: bool
    event_notification_type: str | None = Field(description="2.1 reports only.")
    source: str = Field(description="`set`: by set-variable-monitoring; `report`: in a NotifyMonitoringReport.")
    command_id: str | None
    request_id: int | None
    updated_at: datetime | None


class MonitoringReport(BaseModel):
    request_id: int
    status: str = Field(description="`receiving`, or `complete` once the last part and every part before it are in.")
    parts_received: int
    missing_seq_nos: list[int]
    monitors: int
    updated_at: datetime | None


class Monitors(BaseModel):
    monitors: list[Monitor]
    reports: list[MonitoringReport]


class CustomerInformation(BaseModel):
    station_id: str
    request_id: int
    status: str = Field(description="`receiving`, or `complete` once the last part and every part before it are in.")
    data: str = Field(description="The data of the parts received, in seqNo order.")
    parts_received: int
    missing_seq_nos: list[int]
    generated_at: datetime | None
    updated_at: datetime | None


def _target(found: dm.MonitoredVariable) -> MonitoredVariable:
    return MonitoredVariable(
        component=found.component,
        component_instance=convert.text(found.component_instance),
        evse_id=found.evse_id if found.HasField("evse_id") else None,
        connector_id=found.connector_id if found.HasField("connector_id") else None,
        variable=found.variable,
        variable_instance=convert.text(found.variable_instance),
    )


def station_event(found: dm.StationEvent) -> StationEvent:
    event = found.event
    return StationEvent(
        event_id=event.event_id,
        timestamp=convert.when(event, "timestamp"),
        trigger=event.trigger,
        cause=event.cause if event.HasField("cause") else None,
        actual_value=event.actual_value,
        tech_code=convert.text(event.tech_code),
        tech_info=convert.text(event.tech_info),
        cleared=event.cleared,
        transaction_id=convert.text(event.transaction_id),
        variable_monitoring_id=event.variable_monitoring_id if event.HasField("variable_monitoring_id") else None,
        event_notification_type=event.event_notification_type,
        severity=found.severity if found.HasField("severity") else None,
        target=_target(event.target),
        received_at=convert.when(found, "received_at"),
        message_id=convert.text(found.message_id),
        ocpp_version=convert.version(found.ocpp_version),
    )


def monitor(found: dm.Monitor) -> Monitor:
    m = found.monitor
    return Monitor(
        id=m.id,
        target=_target(m.target),
        type=m.type,
        value=m.value,
        severity=m.severity,
        transaction=m.transaction,
        event_notification_type=convert.text(m.event_notification_type),
        source=found.source,
        command_id=convert.text(found.command_id),
        request_id=found.request_id if found.source == "report" else None,
        updated_at=convert.when(found, "updated_at"),
    )


@router.get("/{station_id}/events", dependencies=[READ], summary="A station's event log")
async def station_events(
    api: Api,
    station_id: StationId,
    limit: Limit = 50,
    cursor: Cursor = None,
    since: Annotated[datetime | None, Query(description="Only events at or after this time (ISO 8601).")] = None,
    cleared: Annotated[
        bool | None, Query(description="Only cleared (true) or only not cleared (false) events.")
    ] = None,
    severity: Annotated[
        int | None, Query(ge=0, le=9, description="Only events of this severity or more urgent (0 danger .. 9 debug).")
    ] = None,
) -> Page[StationEvent]:
    """The events the station reported (NotifyEvent), newest first by the station's timestamp. With `cleared` or
    `severity` a page may hold fewer than `limit` events and still have a next one."""
    filters = json_filters(station_id=station_id, since=since, cleared=cleared, severity=severity)
    request = dm.ListStationEventsRequest(
        station_id=station_id, page_size=limit, page_token=page_token(api.cursors, cursor, LISTING, filters)
    )
    if since is not None:
        request.since.CopyFrom(timestamp(since))
    if cleared is not None:
        request.cleared = cleared
    if severity is not None:
        request.max_severity = severity
    page = await api.device_model.list_station_events(request)
    return Page[StationEvent](
        items=[station_event(event) for event in page.events],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )


@router.get("/{station_id}/monitors", dependencies=[READ], summary="A station's monitors")
async def station_monitors(api: Api, station_id: StationId) -> Monitors:
    """The monitors the CSMS knows the station has (set by set-variable-monitoring and not cleared, or reported in
    a monitoring report), and the progress of each monitoring report (get-monitoring-report)."""
    found = await api.device_model.list_monitors(station_id)
    return Monitors(
        monitors=[monitor(m) for m in found.monitors],
        reports=[
            MonitoringReport(
                request_id=r.request_id,
                status=r.status,
                parts_received=r.parts_received,
                missing_seq_nos=list(r.missing_seq_nos),
                monitors=r.monitors,
                updated_at=convert.when(r, "updated_at"),
            )
            for r in found.reports
        ],
    )


@router.get(
    "/{station_id}/customer-information/{request_id}",
    dependencies=[READ],
    summary="A customer information report",
)
async def customer_information(
    api: Api,
    station_id: StationId,
    request_id: Annotated[int, Path(ge=0, description="The customer-information command's request_id.")],
) -> CustomerInformation:
    """The report the station sent for a customer-information command (NotifyCustomerInformation parts), assembled
    in seqNo order; 404 before its first part arrived."""
    found = await api.device_model.get_customer_information(station_id, request_id)
    return CustomerInformation(
        station_id=found.station_id,
        request_id=found.request_id,
        status=found.status,
        data=found.data,
        parts_received=found.parts_received,
        missing_seq_nos=list(found.missing_seq_nos),
        generated_at=convert.when(found, "generated_at"),
        updated_at=convert.when(found, "updated_at"),
    )
