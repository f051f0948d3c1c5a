"""OCPP 2.0.1 NotifyReport (station → CSMS): one part of a device model report, emitted as ReportPartReceived for
the device projector to assemble (docs/adr/0032). No reads; the answer is empty. The recording is shared with
2.1 (`v21/notify_report.py`), whose message has the same fields plus maxElements."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


async def handle(ctx: DeviceModelContext, request: call.NotifyReport) -> call_result.NotifyReport:
    record_part(ctx, request)
    return call_result.NotifyReport()


def record_part(ctx: DeviceModelContext, request: call.NotifyReport | v21_call.NotifyReport) -> None:
    """Emits ReportPartReceived."""
    ctx.emit(
        device_model_pb2.DeviceModelEvent(
            report_part_received=device_model_pb2.ReportPartReceived(
                request_id=request.request_id,
                seq_no=request.seq_no,
                tbc=bool(request.tbc),
                generated_at=timestamp(parse_ocpp_datetime(request.generated_at)),
                variables=reported_variables(request.report_data or ()),
            )
        )
    )


def reported_variables(report_data: Iterable[dict[str, Any]]) -> list[device_model_pb2.ReportedVariable]:
    """ReportDataType (snake_case dicts, as the `ocpp` package gives them) as ReportedVariable messages."""
    return [reported_variable(data) for data in report_data]


def reported_variable(data: dict[str, Any]) -> device_model_pb2.ReportedVariable:
    component, variable = data["component"], data["variable"]
    evse = component.get("evse") or {}
    reported = device_model_pb2.ReportedVariable(
        component=component["name"],
        component_instance=component.get("instance") or "",
        evse_id=evse.get("id"),
        connector_id=evse.get("connector_id"),
        variable=variable["name"],
        variable_instance=variable.get("instance") or "",
        attributes=[
            device_model_pb2.ReportedAttribute(
                type=attribute.get("type") or "Actual",
                value=attribute.get("value"),
                mutability=attribute.get("mutability") or "ReadWrite",
                persistent=bool(attribute.get("persistent")),
                constant=bool(attribute.get("constant")),
            )
            for attribute in data.get("variable_attribute") or ()
        ],
    )
    found = data.get("variable_characteristics")
    if found is not None:
        reported.characteristics.CopyFrom(
            device_model_pb2.VariableCharacteristics(
                unit=found.get("unit") or "",
                data_type=found.get("data_type") or "",
                min_limit=found.get("min_limit"),
                max_limit=found.get("max_limit"),
                values_list=found.get("values_list") or "",
                supports_monitoring=bool(found.get("supports_monitoring")),
                max_elements=found.get("max_elements"),
            )
        )
    return reported
