"""OCPP 1.6 MeterValues: report the samples of a transaction, or of a connector outside any transaction."""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms.transactions.v1 import transactions_pb2
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_transactions.domain import meter, transaction
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v16.common import evse_of


async def handle(ctx: TransactionsContext, request: call.MeterValues) -> call_result.MeterValues:
    samples = meter.from_v16(request.meter_value, parse_ocpp_datetime)
    occurred_at = max(parse_ocpp_datetime(value["timestamp"]) for value in request.meter_value)
    evse_id, connector_id = evse_of(request.connector_id)
    if request.transaction_id is None:
        event = transactions_pb2.TransactionEvent(
            meter_values_reported=transactions_pb2.MeterValuesReported(
                evse_id=evse_id, connector_id=connector_id, meter_values=samples
            )
        )
        event.occurred_at.FromDatetime(occurred_at)
    else:
        outcome = await transaction.apply(ctx, transaction.Step(str(request.transaction_id), occurred_at))
        event = outcome.event(occurred_at)
        event.updated.CopyFrom(
            transactions_pb2.TransactionUpdated(evse_id=evse_id, connector_id=connector_id, meter_values=samples)
        )
    ctx.emit(event)
    return call_result.MeterValues()
