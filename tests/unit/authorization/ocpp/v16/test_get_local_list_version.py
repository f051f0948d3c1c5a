"""OCPP 1.6 GetLocalListVersion: the (empty) request and the listVersion read."""

from __future__ import annotations

from ocpp.v16 import call_result

from csms_authorization.ocpp.v16 import get_local_list_version
from csms_kernel.ocpp.payloads import to_payload, to_request


def test_the_request_is_empty_and_the_list_version_is_read() -> None:
    assert to_payload(get_local_list_version.request()) == {}
    assert get_local_list_version.outcome(to_request(call_result.GetLocalListVersion, {"listVersion": 3})) == 3
    assert get_local_list_version.outcome(to_request(call_result.GetLocalListVersion, {"listVersion": -1})) == -1
