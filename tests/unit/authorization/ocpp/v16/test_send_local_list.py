"""OCPP 1.6 SendLocalList: the request for one message of an update (with and without entries) and its status."""

from __future__ import annotations

from ocpp.v16 import call_result

from csms_authorization.ocpp.v16 import send_local_list
from csms_kernel.ocpp.payloads import to_payload, to_request
from csms_kernel.ocpp.schemas import MessageKind, validate
from csms_kernel.ocpp.versions import OcppVersion


def test_the_request_carries_the_version_the_type_and_the_entries() -> None:
    entries = [{"id_tag": "T1", "id_tag_info": {"status": "Accepted", "parent_id_tag": "G"}}, {"id_tag": "T2"}]
    payload = to_payload(send_local_list.request(7, "Differential", entries))
    assert payload == {
        "listVersion": 7,
        "updateType": "Differential",
        "localAuthorizationList": [
            {"idTag": "T1", "idTagInfo": {"status": "Accepted", "parentIdTag": "G"}},
            {"idTag": "T2"},
        ],
    }
    validate(OcppVersion.V16, "SendLocalList", MessageKind.REQUEST, payload)


def test_an_update_without_entries_leaves_the_list_out() -> None:
    assert to_payload(send_local_list.request(0, "Full", [])) == {"listVersion": 0, "updateType": "Full"}


def test_the_status_is_read_from_the_answer() -> None:
    assert send_local_list.status(to_request(call_result.SendLocalList, {"status": "VersionMismatch"})) == (
        "VersionMismatch"
    )
