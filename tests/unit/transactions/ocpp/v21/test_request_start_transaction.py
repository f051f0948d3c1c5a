"""OCPP 2.1 RequestStartTransaction: the request sent for a token (its type, or Central) and its status."""

from __future__ import annotations

from ocpp.v21 import call_result

from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Token
from csms_transactions.ocpp.v21 import request_start_transaction


def test_the_request_carries_the_token_the_evse_and_the_remote_start_id() -> None:
    payload = to_payload(request_start_transaction.request(Token("E1", "eMAID"), 2, 4711))
    assert payload == {"idToken": {"idToken": "E1", "type": "eMAID"}, "remoteStartId": 4711, "evseId": 2}
    validate(OcppVersion.V21, "RequestStartTransaction", MessageKind.REQUEST, payload)


def test_a_token_without_type_is_sent_as_central_and_without_evse_the_station_picks() -> None:
    payload = to_payload(request_start_transaction.request(Token("TAG-1", ""), None, 7))
    assert payload == {"idToken": {"idToken": "TAG-1", "type": "Central"}, "remoteStartId": 7}
    validate(OcppVersion.V21, "RequestStartTransaction", MessageKind.REQUEST, payload)


def test_the_status_is_read_from_the_answer() -> None:
    result = to_request(call_result.RequestStartTransaction, {"status": "Rejected", "transactionId": "t-1"})
    assert request_start_transaction.status(result) == "Rejected"
