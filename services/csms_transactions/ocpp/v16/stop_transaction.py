"""OCPP 1.6 StopTransaction: end the transaction with its transactionData, answer the idTag's decision.

A stop for a transaction id this CSMS never allocated to the station is accepted as the protocol demands
(the station would otherwise resend it forever) and reported with `unknown_transaction` for the operator.
"""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_transactions.adapters.state_store import MAX_INT32
from csms_transactions.domain import meter, transaction
from csms_transactions.domain.tokens import Token
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v16.common import id_tag_info

# 1.6 reason when the station gives none.
DEFAULT_REASON = "Local"


async def handle(ctx: TransactionsContext, request: call.StopTransaction) -> call_result.StopTransaction:
    ended_at = parse_ocpp_datetime(request.timestamp)
    token = Token(request.id_tag) if request.id_tag else None
    transaction_id = request.transaction_id
    step = transaction.Step(str(transaction_id), ended_at, f"stop/{transaction_id}", token, ends=True)
    outcome = await transaction.apply(ctx, step)
    if not outcome.duplicate:
        known = 0 < transaction_id <= MAX_INT32 and (
            await ctx.state.station_of_transaction_id(transaction_id) == ctx.station_id
        )
        samples = meter.from_v16(request.transaction_data or [], parse_ocpp_datetime)
        ended = transactions_pb2.TransactionEnded(
            ended_at=timestamp(ended_at),
            meter_stop_wh=float(request.meter_stop),
            stop_reason=request.reason or DEFAULT_REASON,
            meter_values=samples,
            unknown_transaction=not known,
        )
        if token is not None:
            assert outcome.decision is not None
            ended.id_token.CopyFrom(token.proto())
            ended.authorization.CopyFrom(outcome.decision.proto())
        event = outcome.event(ended_at)
        event.ended.CopyFrom(ended)
        ctx.emit(event)
    return call_result.StopTransaction(id_tag_info=id_tag_info(outcome.decision) if outcome.decision else None)
