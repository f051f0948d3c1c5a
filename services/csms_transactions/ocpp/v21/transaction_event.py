"""OCPP 2.1 TransactionEvent: 2.1 only adds fields this CSMS does not use (cost details, preconditioning,
EVSE sleep, transaction limits), so the handling is the 2.0.1 one."""

from __future__ import annotations

from csms_transactions.ocpp.v201.transaction_event import handle

__all__ = ["handle"]
