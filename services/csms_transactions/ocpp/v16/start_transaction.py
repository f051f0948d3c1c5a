"""OCPP 1.6 StartTransaction: allocate the CSMS transaction id, answer the token's decision, report the start.

Natural key: connector + start time + idTag, so a StartTransaction the station sends again under a new message
id gets the same transaction id instead of a second transaction.
"""

from __future__ import annotations

from ocpp.v16 import call, call_result

from csms.transactions.v1 import transactions_pb2
from csms_kernel.infra.envelopes import timestamp
from csms_kernel.ocpp.timestamps import parse_ocpp_datetime
from csms_transactions.domain import transaction
from csms_transactions.domain.tokens import Token
from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v16.common import evse_of, id_tag_info


async def handle(ctx: TransactionsContext, request: call.StartTransaction) -> call_result.StartTransaction:
    started_at = parse_ocpp_datetime(request.timestamp)
    token = Token(request.id_tag)
    key = f"start/{request.connector_id}/{started_at.isoformat()}/{token.key}"
    outcome = await transaction.apply(
        ctx, transaction.Step(None, started_at, key, token, starts_session=True, evse_id=request.connector_id or None)
    )
    assert outcome.decision is not None
    if not outcome.duplicate:
        evse_id, connector_id = evse_of(request.connector_id)
        event = outcome.event(started_at)
        event.started.CopyFrom(
            transactions_pb2.TransactionStarted(
                evse_id=evse_id,
                connector_id=connector_id,
                id_token=token.proto(),
                authorization=outcome.decision.proto(),
                started_at=timestamp(started_at),
                meter_start_wh=float(request.meter_start),
                reservation_id=request.reservation_id,
            )
        )
        ctx.emit(event)
    return call_result.StartTransaction(
        transaction_id=int(outcome.transaction_id), id_tag_info=id_tag_info(outcome.decision)
    )
