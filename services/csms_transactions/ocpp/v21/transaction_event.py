"""OCPP 2.1 TransactionEvent Started/Updated/Ended: merge it into the transaction, answer the token's decision.

Recorded as in 2.0.1 (`v201/transaction_event.py`): 2.1 only adds fields this CSMS does not use (cost details,
preconditioning, EVSE sleep, transaction limits).
"""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_transactions.ocpp.context import TransactionsContext
from csms_transactions.ocpp.v201.transaction_event import id_token_info, record_event


async def handle(ctx: TransactionsContext, request: call.TransactionEvent) -> call_result.TransactionEvent:
    decision = await record_event(ctx, request)
    return call_result.TransactionEvent(id_token_info=id_token_info(decision) if decision else None)
