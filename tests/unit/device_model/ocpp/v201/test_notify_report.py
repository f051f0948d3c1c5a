"""2.0.1 NotifyReport: each part becomes one ReportPartReceived with every variable, attribute and characteristic
(defaults filled: attribute type Actual, mutability ReadWrite); the answer is empty."""

from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2 as dm
from csms_device_model.ocpp.v201 import notify_report
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.payloads import to_request
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context

VERSION = OcppVersion.V201

PAYLOAD = {
    "requestId": 42,
    "generatedAt": "2026-11-21T11:00:00Z",
    "seqNo": 1,
    "tbc": True,
    "reportData": [
        {
            "component": {"name": "EVSE", "instance": "main", "evse": {"id": 1, "connectorId": 2}},
            "variable": {"name": "Power", "instance": "L1"},
            "variableAttribute": [
                {"type": "Actual", "value": "11000", "mutability": "ReadOnly", "persistent": True},
                {"type": "MaxSet", "value": "22000", "constant": True},
            ],
            "variableCharacteristics": {
                "unit": "W",
                "dataType": "decimal",
                "minLimit": 0,
                "maxLimit": 22000.5,
                "supportsMonitoring": True,
            },
        },
        {
            "component": {"name": "SecurityCtrlr"},
            "variable": {"name": "BasicAuthPassword"},
            "variableAttribute": [{"mutability": "WriteOnly"}],
        },
    ],
}

PART = dm.ReportPartReceived(
    request_id=42,
    seq_no=1,
    tbc=True,
    generated_at=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC)),
    variables=[
        dm.ReportedVariable(
            component="EVSE",
            component_instance="main",
            evse_id=1,
            connector_id=2,
            variable="Power",
            variable_instance="L1",
            attributes=[
                dm.ReportedAttribute(type="Actual", value="11000", mutability="ReadOnly", persistent=True),
                dm.ReportedAttribute(type="MaxSet", value="22000", mutability="ReadWrite", constant=True),
            ],
            characteristics=dm.VariableCharacteristics(
                unit="W", data_type="decimal", min_limit=0, max_limit=22000.5, supports_monitoring=True
            ),
        ),
        dm.ReportedVariable(
            component="SecurityCtrlr",
            variable="BasicAuthPassword",
            attributes=[dm.ReportedAttribute(type="Actual", mutability="WriteOnly")],
        ),
    ],
)


async def test_a_part_is_recorded_whole() -> None:
    ctx = make_context(VERSION)
    answer = await notify_report.handle(ctx, to_request(call.NotifyReport, PAYLOAD))
    assert answer == call_result.NotifyReport()
    assert ctx.emitted.events == [expected_event(VERSION, report_part_received=PART)]
    (event,) = ctx.emitted.events
    evse_less = event.report_part_received.variables[1]
    assert not evse_less.HasField("evse_id") and not evse_less.HasField("characteristics")
    assert not evse_less.attributes[0].HasField("value")


async def test_the_last_part_and_an_empty_part() -> None:
    ctx = make_context(VERSION)
    request = call.NotifyReport(request_id=5, generated_at="2026-11-21T11:00:00Z", seq_no=0)
    await notify_report.handle(ctx, request)
    part = dm.ReportPartReceived(
        request_id=5, seq_no=0, tbc=False, generated_at=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC))
    )
    assert ctx.emitted.events == [expected_event(VERSION, report_part_received=part)]
