"""`/api/v1/stations/{station_id}/device-model` (the station's device model inventory, filtered and paged) and
`/api/v1/stations/{station_id}/reports` (its device model reports and their progress). Translation to
DeviceModelService.GetDeviceModel / ListReports (docs/adr/0032)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from csms.device_model.v1 import device_model_pb2 as dm
from csms_api.api import convert
from csms_api.api.auth import READ
from csms_api.api.context import ApiContext, context
from csms_api.api.paging import Cursor, Page, next_cursor, page_token
from csms_api.api.stations import StationId

router = APIRouter(prefix="/api/v1/stations", tags=["device model"])
LISTING = "device-model"
MAX_VARIABLES = 1000
Api = Annotated[ApiContext, Depends(context)]

AttributeType = Literal["Actual", "Target", "MinSet", "MaxSet"]
ReportState = Literal["requested", "receiving", "complete", "failed", "unsolicited"]


class Characteristics(BaseModel):
    unit: str | None
    data_type: str | None
    min_limit: float | None
    max_limit: float | None
    values_list: str | None
    supports_monitoring: bool
    max_elements: int | None = Field(description="2.1 only.")


class DeviceVariable(BaseModel):
    component: str
    component_instance: str | None
    evse_id: int | None
    connector_id: int | None
    variable: str
    variable_instance: str | None
    attribute_type: AttributeType = Field(description="1.6 keys are Actual attributes of component OCPP16.")
    value: str | None = Field(description="The value as last reported, read, or set with status Accepted.")
    mutability: str | None
    persistent: bool
    constant: bool
    characteristics: Characteristics | None = Field(description="As the last report that had them said.")
    report_request_id: int | None = Field(description="The requestId of the report that reported it last.")
    reported_at: datetime | None
    get_status: str | None = Field(description="The last GetVariables / GetConfiguration answer for it.")
    read_at: datetime | None
    set_value: str | None = Field(description="The value the last SetVariables / ChangeConfiguration asked for.")
    set_status: str | None = Field(description="The station's answer to it: Accepted, Rejected, RebootRequired, …")
    set_at: datetime | None
    set_command_id: str | None


class Report(BaseModel):
    request_id: int
    state: ReportState = Field(
        description="requested (sent, no part yet), receiving, complete (every part up to the last one), failed "
        "(the station did not accept the request or the command failed), unsolicited (no command asked for it)."
    )
    command_id: str | None
    command: str | None
    params: dict[str, Any] | None
    answer_status: str | None = Field(description="The station's answer: accepted, rejected, not_supported, …")
    failure: str | None
    requested_at: datetime | None
    parts_received: int
    last_seq_no: int | None = Field(description="The seqNo of the last part (tbc false), once it arrived.")
    missing_seq_nos: list[int]
    variables_received: int
    first_part_at: datetime | None
    last_part_at: datetime | None


def _characteristics(found: dm.VariableCharacteristics) -> Characteristics:
    return Characteristics(
        unit=convert.text(found.unit),
        data_type=convert.text(found.data_type),
        min_limit=found.min_limit if found.HasField("min_limit") else None,
        max_limit=found.max_limit if found.HasField("max_limit") else None,
        values_list=convert.text(found.values_list),
        supports_monitoring=found.supports_monitoring,
        max_elements=found.max_elements if found.HasField("max_elements") else None,
    )


def variable(found: dm.DeviceVariable) -> DeviceVariable:
    def optional(name: Literal["evse_id", "connector_id", "value", "set_value"]) -> Any:
        return getattr(found, name) if found.HasField(name) else None

    return DeviceVariable(
        component=found.component,
        component_instance=convert.text(found.component_instance),
        evse_id=optional("evse_id"),
        connector_id=optional("connector_id"),
        variable=found.variable,
        variable_instance=convert.text(found.variable_instance),
        attribute_type=found.attribute_type,  # type: ignore[arg-type]
        value=optional("value"),
        mutability=convert.text(found.mutability),
        persistent=found.persistent,
        constant=found.constant,
        characteristics=_characteristics(found.characteristics) if found.HasField("characteristics") else None,
        report_request_id=found.report_request_id or None,
        reported_at=convert.when(found, "reported_at"),
        get_status=convert.text(found.get_status),
        read_at=convert.when(found, "read_at"),
        set_value=optional("set_value"),
        set_status=convert.text(found.set_status),
        set_at=convert.when(found, "set_at"),
        set_command_id=convert.text(found.set_command_id),
    )


def report(found: dm.Report) -> Report:
    return Report(
        request_id=found.request_id,
        state=found.state,  # type: ignore[arg-type]
        command_id=convert.text(found.command_id),
        command=convert.text(found.command),
        params=json.loads(found.params_json) if found.params_json else None,
        answer_status=convert.text(found.answer_status),
        failure=convert.text(found.failure),
        requested_at=convert.when(found, "requested_at"),
        parts_received=found.parts_received,
        last_seq_no=found.last_seq_no if found.HasField("last_seq_no") else None,
        missing_seq_nos=list(found.missing_seq_nos),
        variables_received=found.variables_received,
        first_part_at=convert.when(found, "first_part_at"),
        last_part_at=convert.when(found, "last_part_at"),
    )


@router.get("/{station_id}/device-model", dependencies=[READ], summary="A station's device model inventory")
async def get_device_model(
    station_id: StationId,
    api: Api,
    limit: Annotated[
        int, Query(ge=1, le=MAX_VARIABLES, description=f"Attributes per page (default 500, at most {MAX_VARIABLES}).")
    ] = 500,
    cursor: Cursor = None,
    component: Annotated[str | None, Query(max_length=50, description="Component name (exact).")] = None,
    variable_: Annotated[
        str | None, Query(alias="variable", max_length=50, description="Variable name (exact).")
    ] = None,
    evse_id: Annotated[int | None, Query(ge=-1, description="EVSE id; -1: components of no EVSE.")] = None,
    attribute_type: Annotated[AttributeType | None, Query(description="Attribute type.")] = None,
) -> Page[DeviceVariable]:
    """The station's variable attributes in key order (component, instance, EVSE, connector, variable, instance,
    attribute type), as its NotifyReports, GetVariables / SetVariables answers (2.x) and GetConfiguration /
    ChangeConfiguration answers (1.6: component `OCPP16`, one variable per key) left them. Empty for a station
    that never reported anything."""
    filters = {"station_id": station_id, "component": component, "variable": variable_, "evse_id": evse_id}
    filters["attribute_type"] = attribute_type
    request = dm.GetDeviceModelRequest(
        station_id=station_id,
        component=component or "",
        variable=variable_ or "",
        attribute_type=attribute_type or "",
        page_size=limit,
        page_token=page_token(api.cursors, cursor, LISTING, filters),
    )
    if evse_id is not None:
        request.evse_id = evse_id
    page = await api.device_model.get_device_model(request)
    return Page[DeviceVariable](
        items=[variable(found) for found in page.variables],
        next_cursor=next_cursor(api.cursors, page.next_page_token, LISTING, filters),
    )


@router.get("/{station_id}/reports", dependencies=[READ], summary="A station's device model reports")
async def list_reports(station_id: StationId, api: Api) -> list[Report]:
    """Every report the station sent or was asked for (get-base-report, get-report), newest first, with its
    progress per requestId."""
    return [report(found) for found in await api.device_model.list_reports(station_id)]
