"""OCPP 2.0.1 NotifyCustomerInformation: one part (seqNo, tbc) of what the station keeps about a customer, for a
CustomerInformation's requestId. Emits one CustomerInformationPartReceived in the answer's Kafka transaction; the
device projection keeps each part by (station, requestId, seqNo) and the report is assembled when read. Shared with
2.1 (`record_part`)."""

from __future__ import annotations

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.device_model.v1 import device_model_pb2
from csms_device_model.ocpp.context import DeviceModelContext
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime


async def handle(
    ctx: DeviceModelContext, request: call.NotifyCustomerInformation
) -> call_result.NotifyCustomerInformation:
    record_part(ctx, request)
    return call_result.NotifyCustomerInformation()


def record_part(
    ctx: DeviceModelContext, request: call.NotifyCustomerInformation | v21_call.NotifyCustomerInformation
) -> None:
    part = device_model_pb2.CustomerInformationPartReceived(
        request_id=request.request_id,
        seq_no=request.seq_no,
        tbc=bool(request.tbc),
        generated_at=timestamp(parse_ocpp_datetime(request.generated_at)),
        data=request.data,
    )
    ctx.emit(device_model_pb2.DeviceModelEvent(customer_information_part_received=part))
