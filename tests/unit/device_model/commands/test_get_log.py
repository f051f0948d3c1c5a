"""`get-log` (1.6 security whitepaper GetLog, 2.x GetLog) and `get-diagnostics` (1.6 only): the request each
version gets, the answer read back, and what a version cannot say refused with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from csms_device_model.domain.commands.params import InvalidParams, NotExpressible
from csms_device_model.ocpp.commands import takes_request_id, translate
from csms_kernel.ocpp.versions import OcppVersion

V16, V201, V21 = OcppVersion.V16, OcppVersion.V201, OcppVersion.V21
LOG = {
    "log_type": "diagnostics",
    "remote_location": "https://csms.example/upload/t1",
    "oldest_timestamp": "2026-12-01T00:00:00Z",
    "latest_timestamp": "2026-12-02T00:00:00Z",
    "request_id": 42,
}


@pytest.mark.parametrize("version", [V16, V201, V21])
def test_get_log_in_every_version(version: OcppVersion) -> None:
    (call,) = translate("get-log", version, {**LOG, "retries": 2}).calls
    assert call.as_json() == {
        "action": "GetLog",
        "payload": {
            "log": {
                "remoteLocation": "https://csms.example/upload/t1",
                "oldestTimestamp": "2026-12-01T00:00:00.000Z",
                "latestTimestamp": "2026-12-02T00:00:00.000Z",
            },
            "logType": "DiagnosticsLog",
            "requestId": 42,
            "retries": 2,
        },
    }


def test_security_log_and_request_ids() -> None:
    (call,) = translate("get-log", V201, {**LOG, "log_type": "security"}).calls
    assert call.payload["logType"] == "SecurityLog"
    assert takes_request_id("get-log")
    assert not takes_request_id("get-diagnostics")


@pytest.mark.parametrize(
    ("version", "answer", "result"),
    [
        (V16, {"status": "Accepted", "filename": "d.log"}, {"status": "accepted", "filename": "d.log"}),
        (V201, {"status": "Rejected"}, {"status": "rejected"}),
        (V21, {"status": "AcceptedCanceled"}, {"status": "accepted_canceled"}),
    ],
)
def test_get_log_answer(version: OcppVersion, answer: dict[str, Any], result: dict[str, Any]) -> None:
    assert translate("get-log", version, LOG).read([answer]) == result


def test_get_log_needs_a_known_log_type() -> None:
    with pytest.raises(InvalidParams, match=r"params\.log_type: must be one of diagnostics, security"):
        translate("get-log", V201, {**LOG, "log_type": "all"})


def test_get_diagnostics_on_1_6() -> None:
    plan = translate(
        "get-diagnostics",
        V16,
        {"location": "ftp://csms.example/diag", "start_time": "2026-12-01T00:00:00Z", "retry_interval": 30},
    )
    assert [call.as_json() for call in plan.calls] == [
        {
            "action": "GetDiagnostics",
            "payload": {
                "location": "ftp://csms.example/diag",
                "retryInterval": 30,
                "startTime": "2026-12-01T00:00:00.000Z",
            },
        }
    ]
    assert plan.read([{"fileName": "diag.zip"}]) == {"file_name": "diag.zip"}
    assert plan.read([{}]) == {}


@pytest.mark.parametrize("version", [V201, V21])
def test_get_diagnostics_is_not_2_x(version: OcppVersion) -> None:
    with pytest.raises(NotExpressible, match="use get-log with log_type diagnostics"):
        translate("get-diagnostics", version, {"location": "ftp://csms.example/diag"})
