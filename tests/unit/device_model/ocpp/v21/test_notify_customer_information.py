"""NotifyCustomerInformation (v21): one CustomerInformationPartReceived per part, its data as sent."""

from __future__ import annotations

from datetime import UTC, datetime

from ocpp.v21 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.v21 import notify_customer_information
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.device_model import expected_event, make_context

VERSION = OcppVersion.V21


async def test_a_part_as_sent() -> None:
    ctx = make_context(VERSION, action="NotifyCustomerInformation")
    request = call.NotifyCustomerInformation(
        data="card 04A2B3: 3 sessions", seq_no=0, tbc=True, generated_at="2026-11-21T11:00:00Z", request_id=9
    )
    assert await notify_customer_information.handle(ctx, request) == call_result.NotifyCustomerInformation()
    part = device_model_pb2.CustomerInformationPartReceived(
        request_id=9,
        seq_no=0,
        tbc=True,
        generated_at=timestamp(datetime(2026, 11, 21, 11, tzinfo=UTC)),
        data="card 04A2B3: 3 sessions",
    )
    assert ctx.emitted.events == [expected_event(VERSION, customer_information_part_received=part)]
