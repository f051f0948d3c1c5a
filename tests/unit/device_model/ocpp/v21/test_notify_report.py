"""2.1 NotifyReport: as 2.0.1, with maxElements kept."""

from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v21 import call, call_result

from csms.device_model.v1 import device_model_pb2 as dm
from csms_device_model.ocpp.v21 import notify_report
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.payloads import to_request
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context

VERSION = OcppVersion.V21


async def test_a_part_is_recorded_with_max_elements() -> None:
    ctx = make_context(VERSION)
    payload = {
        "requestId": 9,
        "generatedAt": "2026-11-21T11:00:00Z",
        "seqNo": 0,
        "reportData": [
            {
                "component": {"name": "SampledDataCtrlr"},
                "variable": {"name": "TxUpdatedMeasurands"},
                "variableAttribute": [{"value": "Energy.Active.Import.Register"}],
                "variableCharacteristics": {"dataType": "MemberList", "maxElements": 8, "supportsMonitoring": False},
            }
        ],
    }
    assert await notify_report.handle(ctx, to_request(call.NotifyReport, payload)) == call_result.NotifyReport()
    part = dm.ReportPartReceived(
        request_id=9,
        seq_no=0,
        generated_at=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC)),
        variables=[
            dm.ReportedVariable(
                component="SampledDataCtrlr",
                variable="TxUpdatedMeasurands",
                attributes=[
                    dm.ReportedAttribute(type="Actual", value="Energy.Active.Import.Register", mutability="ReadWrite")
                ],
                characteristics=dm.VariableCharacteristics(data_type="MemberList", max_elements=8),
            )
        ],
    )
    assert ctx.emitted.events == [expected_event(VERSION, report_part_received=part)]
