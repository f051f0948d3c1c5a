"""OCPP 2.0.1 SendLocalList: the request for one message of an update (with and without entries) and its status."""

from __future__ import annotations

from ocpp.v201 import call_result

from csms_authorization.ocpp.v201 import send_local_list
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion


def test_the_request_carries_the_version_the_type_and_the_entries() -> None:
    entries = [
        {"id_token": {"id_token": "T1", "type": "ISO14443"}, "id_token_info": {"status": "Accepted"}},
        {"id_token": {"id_token": "T2", "type": "Local"}},
    ]
    payload = to_payload(send_local_list.request(7, "Full", entries))
    assert payload == {
        "versionNumber": 7,
        "updateType": "Full",
        "localAuthorizationList": [
            {"idToken": {"idToken": "T1", "type": "ISO14443"}, "idTokenInfo": {"status": "Accepted"}},
            {"idToken": {"idToken": "T2", "type": "Local"}},
        ],
    }
    validate(OcppVersion.V201, "SendLocalList", MessageKind.REQUEST, payload)


def test_an_update_without_entries_leaves_the_list_out() -> None:
    assert to_payload(send_local_list.request(3, "Differential", [])) == {
        "versionNumber": 3,
        "updateType": "Differential",
    }


def test_the_status_is_read_from_the_answer() -> None:
    assert send_local_list.status(to_request(call_result.SendLocalList, {"status": "Failed"})) == "Failed"
