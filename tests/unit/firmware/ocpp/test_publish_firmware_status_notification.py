"""PublishFirmwareStatusNotification (2.x local controllers): answered {} and recorded with its requestId and,
once Published, the locations; not a 1.6 action."""

from __future__ import annotations

import pytest

from csms.firmware.v1 import firmware_pb2
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.firmware import Csms


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_published_with_locations(version: OcppVersion) -> None:
    payload = {"status": "Published", "requestId": 5, "location": ["http://lc.local/fw.bin", "ftp://lc.local/fw"]}
    event = await Csms(version).report("PublishFirmwareStatusNotification", payload)
    report = event.status_reported
    assert (report.kind, report.status, report.ocpp_request_id) == (firmware_pb2.REPORT_KIND_PUBLISH, "Published", 5)
    assert list(report.locations) == ["http://lc.local/fw.bin", "ftp://lc.local/fw"]


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_downloading(version: OcppVersion) -> None:
    event = await Csms(version).report("PublishFirmwareStatusNotification", {"status": "Downloading", "requestId": 5})
    assert (event.status_reported.status, list(event.status_reported.locations)) == ("Downloading", [])


async def test_not_a_1_6_action() -> None:
    answer = await Csms(OcppVersion.V16).send("PublishFirmwareStatusNotification", {"status": "Idle"})
    assert answer.is_error
