"""1.6 DiagnosticsStatusNotification: answered {} and recorded; it carries no requestId and belongs to the latest
get-diagnostics request (Idle: to none)."""

from __future__ import annotations

import pytest

from csms.firmware.v1 import firmware_pb2
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.firmware import Csms


@pytest.mark.parametrize(("status", "of_latest"), [("Uploading", True), ("Uploaded", True), ("Idle", False)])
async def test_recorded_as_sent(status: str, of_latest: bool) -> None:
    event = await Csms(OcppVersion.V16).report("DiagnosticsStatusNotification", {"status": status})
    report = event.status_reported
    assert (report.kind, report.status, report.has_request_id, report.belongs_to_latest) == (
        firmware_pb2.REPORT_KIND_DIAGNOSTICS,
        status,
        False,
        of_latest,
    )
