"""OCPP 2.0.1 MeterValues: samples of an EVSE (or of the main meter, EVSE 0) outside any transaction (the
reporting is shared with 2.1, whose message has the same fields)."""

from __future__ import annotations

from ocpp.v21 import call as v21_call
from ocpp.v201 import call, call_result

from csms.transactions.v1 import transactions_pb2
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_transactions.domain import meter
from csms_transactions.ocpp.context import TransactionsContext


async def handle(ctx: TransactionsContext, request: call.MeterValues) -> call_result.MeterValues:
    report_samples(ctx, request)
    return call_result.MeterValues()


def report_samples(ctx: TransactionsContext, request: call.MeterValues | v21_call.MeterValues) -> None:
    """Emits MeterValuesReported, at the time of the latest sample."""
    samples = meter.from_v2(request.meter_value, parse_ocpp_datetime)
    event = transactions_pb2.TransactionEvent(
        meter_values_reported=transactions_pb2.MeterValuesReported(evse_id=request.evse_id, meter_values=samples)
    )
    event.occurred_at.FromDatetime(max(parse_ocpp_datetime(value["timestamp"]) for value in request.meter_value))
    ctx.emit(event)
