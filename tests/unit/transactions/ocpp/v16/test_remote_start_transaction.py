"""OCPP 1.6 RemoteStartTransaction: the request sent for a token (with or without a connector) and its status."""

from __future__ import annotations

from ocpp.v16 import call_result

from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion
from csms_transactions.domain.tokens import Token
from csms_transactions.ocpp.v16 import remote_start_transaction


def test_the_request_carries_the_id_tag_and_the_connector() -> None:
    payload = to_payload(remote_start_transaction.request(Token("TAG-1", "ISO14443"), 2))
    assert payload == {"idTag": "TAG-1", "connectorId": 2}
    validate(OcppVersion.V16, "RemoteStartTransaction", MessageKind.REQUEST, payload)


def test_without_a_connector_the_station_picks() -> None:
    assert to_payload(remote_start_transaction.request(Token("TAG-1", ""), None)) == {"idTag": "TAG-1"}


def test_the_status_is_read_from_the_answer() -> None:
    result = to_request(call_result.RemoteStartTransaction, {"status": "Rejected"})
    assert remote_start_transaction.status(result) == "Rejected"
