"""1.6 SignedFirmwareStatusNotification (security whitepaper): answered {} and recorded with its requestId; the
requestId may be absent (Idle)."""

from __future__ import annotations

from csms.firmware.v1 import firmware_pb2
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.firmware import Csms


async def test_recorded_with_its_request_id() -> None:
    event = await Csms(OcppVersion.V16).report(
        "SignedFirmwareStatusNotification", {"status": "SignatureVerified", "requestId": 12}
    )
    report = event.status_reported
    assert (report.kind, report.action, report.status) == (
        firmware_pb2.REPORT_KIND_FIRMWARE,
        "SignedFirmwareStatusNotification",
        "SignatureVerified",
    )
    assert (report.has_request_id, report.ocpp_request_id, report.belongs_to_latest) == (True, 12, False)


async def test_idle_without_request_id() -> None:
    event = await Csms(OcppVersion.V16).report("SignedFirmwareStatusNotification", {"status": "Idle"})
    assert (event.status_reported.has_request_id, event.status_reported.status) == (False, "Idle")


async def test_not_a_2_x_action() -> None:
    answer = await Csms(OcppVersion.V201).send("SignedFirmwareStatusNotification", {"status": "Idle"})
    assert answer.is_error
