"""OCPP 2.0.1 GetLocalListVersion: the (empty) request and the versionNumber read."""

from __future__ import annotations

from ocpp.v201 import call_result

from csms_authorization.ocpp.v201 import get_local_list_version
from csms_kernel.ocpp.payloads import to_payload, to_request


def test_the_request_is_empty_and_the_version_number_is_read() -> None:
    assert to_payload(get_local_list_version.request()) == {}
    assert get_local_list_version.outcome(to_request(call_result.GetLocalListVersion, {"versionNumber": 4})) == 4
