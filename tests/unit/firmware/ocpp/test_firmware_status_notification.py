"""FirmwareStatusNotification on each version, through that version's routing table: answered {} and recorded
as sent — 1.6 without a requestId (it belongs to the latest update, unless Idle), 2.x with the requestId and
statusInfo; an event id derived from the CALL."""

from __future__ import annotations

import pytest

from csms.firmware.v1 import firmware_pb2
from csms_firmware.domain.events import derived_id
from csms_kernel.infra.envelopes import timestamp, version_to_proto
from csms_kernel.ocpp.versions import OcppVersion
from kit.builders.firmware import NOW, STATION, Csms


async def test_1_6_belongs_to_the_latest_update() -> None:
    event = await Csms(OcppVersion.V16).report(
        "FirmwareStatusNotification", {"status": "Downloading"}, message_id="m-3"
    )
    assert event == firmware_pb2.FirmwareEvent(
        event_id=derived_id("status", STATION, "conn-1", "m-3"),
        station_id=STATION,
        recorded_at=timestamp(NOW),
        status_reported=firmware_pb2.StatusReported(
            kind=firmware_pb2.REPORT_KIND_FIRMWARE,
            action="FirmwareStatusNotification",
            status="Downloading",
            belongs_to_latest=True,
            ocpp_version=version_to_proto(OcppVersion.V16),
            message_id="m-3",
        ),
    )


async def test_1_6_idle_belongs_to_no_request() -> None:
    event = await Csms(OcppVersion.V16).report("FirmwareStatusNotification", {"status": "Idle"})
    assert (event.status_reported.status, event.status_reported.belongs_to_latest) == ("Idle", False)


async def test_2_0_1_carries_the_request_id() -> None:
    event = await Csms(OcppVersion.V201).report(
        "FirmwareStatusNotification", {"status": "InvalidSignature", "requestId": 77}
    )
    assert (event.status_reported.status, event.status_reported.ocpp_request_id) == ("InvalidSignature", 77)
    assert event.status_reported.has_request_id


async def test_2_1_carries_the_request_id_and_status_info() -> None:
    version = OcppVersion.V21
    payload = {
        "status": "InvalidSignature",
        "requestId": 77,
        "statusInfo": {"reasonCode": "BadSig", "additionalInfo": "sha256 mismatch"},
    }
    event = await Csms(version).report("FirmwareStatusNotification", payload)
    assert event.status_reported == firmware_pb2.StatusReported(
        kind=firmware_pb2.REPORT_KIND_FIRMWARE,
        action="FirmwareStatusNotification",
        status="InvalidSignature",
        has_request_id=True,
        ocpp_request_id=77,
        reason_code="BadSig",
        additional_info="sha256 mismatch",
        ocpp_version=version_to_proto(version),
        message_id="msg-1",
    )


@pytest.mark.parametrize("version", [OcppVersion.V201, OcppVersion.V21])
async def test_2_x_idle_without_request_id(version: OcppVersion) -> None:
    event = await Csms(version).report("FirmwareStatusNotification", {"status": "Idle"})
    report = event.status_reported
    assert (report.has_request_id, report.belongs_to_latest, report.status) == (False, False, "Idle")


async def test_a_redelivered_call_records_the_same_event() -> None:
    csms = Csms(OcppVersion.V201)
    first = await csms.report("FirmwareStatusNotification", {"status": "Installed", "requestId": 1})
    again = await csms.report("FirmwareStatusNotification", {"status": "Installed", "requestId": 1})
    assert first == again


async def test_a_status_the_version_does_not_have_is_refused() -> None:
    answer = await Csms(OcppVersion.V16).send("FirmwareStatusNotification", {"status": "SignatureVerified"})
    assert answer.is_error
    assert answer.events == []
