"""LogStatusNotification (1.6 security whitepaper, 2.0.1, 2.1): answered {} and recorded with its requestId,
also when no request of the CSMS has that id (matched only when the history is read)."""

from __future__ import annotations

import pytest

from csms.firmware.v1 import firmware_pb2
from csms_kernel.infra.envelopes import version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.firmware import Csms


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201, OcppVersion.V21])
async def test_recorded_with_its_request_id(version: OcppVersion) -> None:
    event = await Csms(version).report("LogStatusNotification", {"status": "Uploaded", "requestId": 9})
    assert event.status_reported == firmware_pb2.StatusReported(
        kind=firmware_pb2.REPORT_KIND_LOG,
        action="LogStatusNotification",
        status="Uploaded",
        has_request_id=True,
        ocpp_request_id=9,
        ocpp_version=version_to_proto(version),
        message_id="msg-1",
    )


async def test_2_1_status_info() -> None:
    payload = {"status": "PermissionDenied", "requestId": 3, "statusInfo": {"reasonCode": "Auth"}}
    event = await Csms(OcppVersion.V21).report("LogStatusNotification", payload)
    assert (event.status_reported.status, event.status_reported.reason_code) == ("PermissionDenied", "Auth")


async def test_1_6_idle_without_request_id() -> None:
    event = await Csms(OcppVersion.V16).report("LogStatusNotification", {"status": "Idle"})
    assert event.status_reported.has_request_id is False
