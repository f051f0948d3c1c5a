"""OCPP 2.0.1 RequestStopTransaction: the request sent for a transaction id and its status."""

from __future__ import annotations

from ocpp.v201 import call_result

from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.ocpp.v201 import request_stop_transaction


def test_the_request_carries_the_transaction_id() -> None:
    payload = to_payload(request_stop_transaction.request("tx-1"))
    assert payload == {"transactionId": "tx-1"}
    validate(OcppVersion.V201, "RequestStopTransaction", MessageKind.REQUEST, payload)


def test_the_status_is_read_from_the_answer() -> None:
    result = to_request(call_result.RequestStopTransaction, {"status": "Accepted"})
    assert request_stop_transaction.status(result) == "Accepted"
