"""OCPP 2.1 GetTransactionStatus (CSMS → station): whether a transaction is ongoing and has messages queued
(without a transaction id: whether any message is queued). No I/O."""

from __future__ import annotations

from ocpp.v21 import call, call_result

from csms_transactions.ocpp.remote import TransactionStatus


def request(transaction_id: str) -> call.GetTransactionStatus:
    return call.GetTransactionStatus(transaction_id=transaction_id or None)


def outcome(result: call_result.GetTransactionStatus) -> TransactionStatus:
    return TransactionStatus(bool(result.messages_in_queue), result.ongoing_indicator)
