"""OCPP 1.6 RemoteStopTransaction: the request sent for an integer transaction id and its status."""

from __future__ import annotations

from ocpp.v16 import call_result

from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.ocpp.v16 import remote_stop_transaction


def test_the_request_carries_the_transaction_id() -> None:
    payload = to_payload(remote_stop_transaction.request(1001))
    assert payload == {"transactionId": 1001}
    validate(OcppVersion.V16, "RemoteStopTransaction", MessageKind.REQUEST, payload)


def test_the_status_is_read_from_the_answer() -> None:
    result = to_request(call_result.RemoteStopTransaction, {"status": "Accepted"})
    assert remote_stop_transaction.status(result) == "Accepted"
