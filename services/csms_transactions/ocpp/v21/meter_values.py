"""OCPP 2.1 MeterValues: samples of an EVSE (or of the main meter, EVSE 0) outside any transaction (as in
2.0.1: the message has the same fields)."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v201.meter_values import report_samples


async def handle(ctx: TransactionsContext, request: call.MeterValues) -> call_result.MeterValues:
    report_samples(ctx, request)
    return call_result.MeterValues()
