"""OCPP 2.0.1 GetTransactionStatus: the request sent (with or without a transaction id) and the status read."""

from __future__ import annotations

from ocpp.v201 import call_result

from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.ocpp.remote import TransactionStatus
from csms_transactions.ocpp.v201 import get_transaction_status


def test_the_request_carries_the_transaction_id_when_there_is_one() -> None:
    payload = to_payload(get_transaction_status.request("tx-1"))
    assert payload == {"transactionId": "tx-1"}
    validate(OcppVersion.V201, "GetTransactionStatus", MessageKind.REQUEST, payload)
    assert to_payload(get_transaction_status.request("")) == {}


def test_the_status_is_read_from_the_answer() -> None:
    ongoing = to_request(call_result.GetTransactionStatus, {"messagesInQueue": True, "ongoingIndicator": False})
    assert get_transaction_status.outcome(ongoing) == TransactionStatus(messages_in_queue=True, ongoing_indicator=False)
    queue_only = to_request(call_result.GetTransactionStatus, {"messagesInQueue": False})
    assert get_transaction_status.outcome(queue_only) == TransactionStatus(
        messages_in_queue=False, ongoing_indicator=None
    )
